import type { RegisterLink } from './types';
import { DirisDevice } from './diris-device';
import { errorKind } from './errors';

/** One meter a scan found. */
export interface ScanHit {
  unitId: number;
  productName: string;
  extendedName: string;
  family: string | number;
  serialNumber: string;
  softwareVersion: string;
  /** The model whose table the package reads it with ("A10"), null for a Socomec product without a profile. */
  model: string | null;
  modelName: string | null;
}

/** What a scan answers: the meters found, and unit ids that answered but are no DIRIS. */
export interface ScanResult {
  link: string;
  scanned: number[];
  found: ScanHit[];
  others: { unitId: number; error: string }[];
  durationMs: number;
}

/**
 * Ask each unit id for its identification, one after the other (one request in flight
 * per line). Silent unit ids are skipped; unit ids that answer something else are listed
 * under `others`; a link that cannot open ends the scan with its error. No retries: a
 * missing unit id costs one timeout, not two. Once `signal` aborts, no further unit id is asked.
 */
export async function scanUnits(link: RegisterLink, unitIds: readonly number[], source: string, options: { signal?: AbortSignal } = {}): Promise<ScanResult> {
  const started = Date.now();
  const found: ScanHit[] = [];
  const others: { unitId: number; error: string }[] = [];
  for (const unitId of unitIds) {
    // Cancelled (the asker went away): not one more request.
    if (options.signal?.aborted) break;
    try {
      const identity = await new DirisDevice(link, unitId, { source, retries: 0 }).readIdentity();
      found.push({
        unitId,
        productName: identity.productName,
        extendedName: identity.extendedName,
        family: identity.family,
        serialNumber: identity.serialNumber,
        softwareVersion: identity.softwareVersion,
        model: identity.model,
        modelName: identity.modelName,
      });
    } catch (err) {
      const kind = errorKind(err);
      if (kind === 'timeout' || kind === 'backoff') continue;
      if (kind === 'link' || kind === 'closed') throw err;
      others.push({ unitId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { link: link.description ?? '', scanned: [...unitIds], found, others, durationMs: Date.now() - started };
}

