import type { FieldValue } from '../registers';
import type { Identity } from './types';

const text = (v: FieldValue | undefined): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const num = (v: FieldValue | undefined): number => (typeof v === 'number' ? v : 0);

/** 101 -> "1.01", as the table's examples say ("101 Version 1.01"). */
export function hundredthsVersion(v: FieldValue | undefined): string {
  return (num(v) / 100).toFixed(2);
}

/** Builds the identity from decoded identification (50000), options (36096) and customization (4096) values. */
export function buildIdentity(id: Record<string, FieldValue>, options: Record<string, FieldValue>, customization: Record<string, FieldValue>): Identity {
  const optionBits = (options.optionCode ?? {}) as Record<string, boolean>;
  const serialHex = (v: FieldValue | undefined) => num(v).toString(16).toUpperCase().padStart(4, '0');
  return {
    signature: text(id.signature),
    family: typeof id.family === 'string' || typeof id.family === 'number' ? id.family : 0,
    productId: num(id.productId),
    productName: text(id.productName),
    extendedName: text(id.extendedName),
    vendorName: text(id.vendorName),
    jbusTableVersion: hundredthsVersion(id.jbusTableVersion),
    softwareVersion: hundredthsVersion(id.softwareVersion),
    productVersion: [id.productVersionMajor, id.productVersionMinor, id.productVersionRevision, id.productVersionBuild].map(num).join('.'),
    baseVersion: [id.baseVersionMajor, id.baseVersionMinor, id.baseVersionRevision].map(num).join('.'),
    customizationVersion: [id.customizationVersionMajor, id.customizationVersionMinor].map(num).join('.'),
    // The serial is printed on the meter as the hex of its two words, then the order number.
    serialNumber: `${serialHex(id.serialAaSs)}${serialHex(id.serialSstL)}-${num(id.serialOrder)}`,
    buildDate: (typeof id.buildDate === 'string' || Array.isArray(id.buildDate) ? id.buildDate : '') as string | number[],
    productVlo: text(id.productVlo),
    customizationVlo: text(id.customizationVlo),
    baseVlo: text(id.baseVlo),
    codeTable: text(id.codeTable),
    customizationLoaded: id.customizationLoaded === true,
    options: { metering: optionBits.metering === true, communication: optionBits.communication === true, inputsOutputs: optionBits.inputsOutputs === true },
    optionSlots: [options.optionSlot1 as string | number, options.optionSlot2 as string | number],
    retrofitActivated: customization.retrofitActivated === true,
    model: null,
    modelName: null,
  };
}
