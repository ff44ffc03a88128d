// Generated from src/nodes/settings-schema.ts by `node dist/src/cli/editor-schema.js > resources/socomec-schema.js`: do not edit.
window.SocomecSchema = {
    package: "@diris-tools/node-red-socomec",
    nodes: {
        "socomec-connection": {
            "name": {
                "type": "text",
                "value": ""
            },
            "transport": {
                "type": "choice",
                "value": "tcp",
                "choices": [
                    "tcp",
                    "rtu",
                    "rtu-over-tcp"
                ]
            },
            "host": {
                "type": "text",
                "value": "127.0.0.1",
                "required": true,
                "transports": [
                    "tcp",
                    "rtu-over-tcp"
                ]
            },
            "port": {
                "type": "integer",
                "value": 502,
                "min": 1,
                "max": 65535,
                "transports": [
                    "tcp",
                    "rtu-over-tcp"
                ]
            },
            "serialPath": {
                "type": "text",
                "value": "",
                "required": true,
                "transports": [
                    "rtu"
                ]
            },
            "baudRate": {
                "type": "integer",
                "value": 9600,
                "min": 50,
                "max": 4000000,
                "transports": [
                    "rtu"
                ],
                "choices": [
                    1200,
                    2400,
                    4800,
                    9600,
                    19200,
                    38400,
                    57600,
                    115200
                ]
            },
            "dataBits": {
                "type": "choice",
                "value": 8,
                "choices": [
                    8,
                    7
                ],
                "transports": [
                    "rtu"
                ]
            },
            "parity": {
                "type": "choice",
                "value": "none",
                "choices": [
                    "none",
                    "even",
                    "odd"
                ],
                "transports": [
                    "rtu"
                ]
            },
            "stopBits": {
                "type": "choice",
                "value": 1,
                "choices": [
                    1,
                    2
                ],
                "transports": [
                    "rtu"
                ]
            },
            "timeoutMs": {
                "type": "integer",
                "value": 1000,
                "min": 1,
                "max": 600000,
                "unit": "ms"
            },
            "retries": {
                "type": "integer",
                "value": 1,
                "min": 0,
                "max": 10
            },
            "interRequestDelayMs": {
                "type": "number",
                "value": "",
                "min": 0,
                "max": 60000,
                "blank": true,
                "unit": "ms",
                "placeholder": true
            },
            "reconnectInitialMs": {
                "type": "integer",
                "value": 500,
                "min": 1,
                "max": 3600000
            },
            "reconnectMaxMs": {
                "type": "integer",
                "value": 30000,
                "min": 1,
                "max": 3600000,
                "atLeast": "reconnectInitialMs"
            },
            "queueLimit": {
                "type": "integer",
                "value": 100,
                "min": 1,
                "max": 100000
            },
            "queueTimeoutMs": {
                "type": "integer",
                "value": "",
                "min": 1,
                "max": 3600000,
                "blank": true,
                "unit": "ms",
                "placeholder": true
            },
            "unitBackoffMaxMs": {
                "type": "integer",
                "value": "",
                "min": 1000,
                "max": 3600000,
                "blank": true,
                "unit": "ms",
                "placeholder": true
            },
            "meters": {
                "type": "names",
                "value": "",
                "max": 247,
                "placeholder": true
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        },
        "socomec-read-measurements": {
            "name": {
                "type": "text",
                "value": ""
            },
            "connection": {
                "type": "config",
                "value": "",
                "configType": "socomec-connection"
            },
            "unitId": {
                "type": "integer",
                "value": 5,
                "min": 1,
                "max": 247
            },
            "topic": {
                "type": "text",
                "value": ""
            },
            "model": {
                "type": "choice",
                "value": "auto",
                "choices": [
                    "auto",
                    "A10",
                    "A14",
                    "A20",
                    "E14",
                    "E23",
                    "E34"
                ],
                "labels": {
                    "A10": "DIRIS A-10",
                    "A14": "DIRIS A-14",
                    "A20": "DIRIS A-20",
                    "E14": "Countis E14",
                    "E23": "Countis E23/E24",
                    "E34": "Countis E34/E44"
                },
                "blank": true,
                "whenAbsent": "A20"
            },
            "groups": {
                "type": "choices",
                "value": [
                    "instantaneous",
                    "energies"
                ],
                "choices": [
                    "instantaneous",
                    "energies",
                    "maxAvg",
                    "harmonics",
                    "fineEnergies",
                    "tariffEnergies",
                    "temperatures"
                ]
            },
            "table": {
                "type": "choice",
                "value": "standard",
                "choices": [
                    "standard",
                    "secondary16",
                    "legacy32",
                    "legacy16",
                    "legacyB00"
                ]
            },
            "unitIds": {
                "type": "unitIds",
                "value": "",
                "max": 247,
                "placeholder": true
            },
            "pollSeconds": {
                "type": "number",
                "value": 0,
                "min": 0,
                "max": 86400,
                "blank": true,
                "hint": true
            },
            "slowGroups": {
                "type": "choices",
                "value": [],
                "choices": [
                    "instantaneous",
                    "energies",
                    "maxAvg",
                    "harmonics",
                    "fineEnergies",
                    "tariffEnergies",
                    "temperatures"
                ],
                "blank": true
            },
            "slowSeconds": {
                "type": "number",
                "value": "",
                "min": 0,
                "max": 86400,
                "blank": true,
                "atLeast": "pollSeconds",
                "hint": true
            },
            "outputMode": {
                "type": "choice",
                "value": "single",
                "choices": [
                    "single",
                    "perValue"
                ]
            },
            "sendFailures": {
                "type": "boolean",
                "value": false
            },
            "health": {
                "type": "boolean",
                "value": false
            },
            "outputs": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 2,
                "blank": true
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        },
        "socomec-read-identity": {
            "name": {
                "type": "text",
                "value": ""
            },
            "connection": {
                "type": "config",
                "value": "",
                "configType": "socomec-connection"
            },
            "unitId": {
                "type": "integer",
                "value": 5,
                "min": 1,
                "max": 247
            },
            "topic": {
                "type": "text",
                "value": ""
            },
            "readOnDeploy": {
                "type": "boolean",
                "value": false
            },
            "details": {
                "type": "boolean",
                "value": false
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        },
        "socomec-write-settings": {
            "name": {
                "type": "text",
                "value": ""
            },
            "connection": {
                "type": "config",
                "value": "",
                "configType": "socomec-connection"
            },
            "unitId": {
                "type": "integer",
                "value": 5,
                "min": 1,
                "max": 247
            },
            "topic": {
                "type": "text",
                "value": ""
            },
            "model": {
                "type": "choice",
                "value": "auto",
                "choices": [
                    "auto",
                    "A10",
                    "A14",
                    "A20",
                    "E14",
                    "E23",
                    "E34"
                ],
                "labels": {
                    "A10": "DIRIS A-10",
                    "A14": "DIRIS A-14",
                    "A20": "DIRIS A-20",
                    "E14": "Countis E14",
                    "E23": "Countis E23/E24",
                    "E34": "Countis E34/E44"
                },
                "blank": true,
                "whenAbsent": "A20"
            },
            "block": {
                "type": "choice",
                "value": "applicationSettings",
                "choices": [
                    "applicationSettings",
                    "commonSettings",
                    "legacySettings",
                    "industrialization",
                    "factory"
                ],
                "guarded": {
                    "choices": [
                        "industrialization",
                        "factory"
                    ],
                    "by": "allowFactoryBlocks"
                }
            },
            "allowFactoryBlocks": {
                "type": "boolean",
                "value": false
            },
            "store": {
                "type": "boolean",
                "value": true
            },
            "dryRun": {
                "type": "boolean",
                "value": false
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        },
        "socomec-reset": {
            "name": {
                "type": "text",
                "value": ""
            },
            "connection": {
                "type": "config",
                "value": "",
                "configType": "socomec-connection"
            },
            "unitId": {
                "type": "integer",
                "value": 5,
                "min": 1,
                "max": 247
            },
            "topic": {
                "type": "text",
                "value": ""
            },
            "model": {
                "type": "choice",
                "value": "auto",
                "choices": [
                    "auto",
                    "A10",
                    "A14",
                    "A20",
                    "E14",
                    "E23",
                    "E34"
                ],
                "labels": {
                    "A10": "DIRIS A-10",
                    "A14": "DIRIS A-14",
                    "A20": "DIRIS A-20",
                    "E14": "Countis E14",
                    "E23": "Countis E23/E24",
                    "E34": "Countis E34/E44"
                },
                "blank": true,
                "whenAbsent": "A20"
            },
            "allowMaxCurrents": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowMaxPowers": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowHourMeter": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowActiveEnergyPos": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowReactiveEnergyPos": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowApparentEnergy": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowActiveEnergyNeg": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowReactiveEnergyNeg": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowTariffEnergies": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowAll": {
                "type": "boolean",
                "value": false,
                "group": "resets"
            },
            "allowRestart": {
                "type": "boolean",
                "value": false,
                "group": "commands"
            },
            "allowFactoryConfig": {
                "type": "boolean",
                "value": false,
                "group": "commands"
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        },
        "socomec-alarm-status": {
            "name": {
                "type": "text",
                "value": ""
            },
            "connection": {
                "type": "config",
                "value": "",
                "configType": "socomec-connection"
            },
            "unitId": {
                "type": "integer",
                "value": 5,
                "min": 1,
                "max": 247
            },
            "topic": {
                "type": "text",
                "value": ""
            },
            "model": {
                "type": "choice",
                "value": "auto",
                "choices": [
                    "auto",
                    "A10",
                    "A14",
                    "A20",
                    "E14",
                    "E23",
                    "E34"
                ],
                "labels": {
                    "A10": "DIRIS A-10",
                    "A14": "DIRIS A-14",
                    "A20": "DIRIS A-20",
                    "E14": "Countis E14",
                    "E23": "Countis E23/E24",
                    "E34": "Countis E34/E44"
                },
                "blank": true,
                "whenAbsent": "A20"
            },
            "pollSeconds": {
                "type": "number",
                "value": 0,
                "min": 0,
                "max": 86400,
                "blank": true,
                "hint": true
            },
            "legacy": {
                "type": "boolean",
                "value": false
            },
            "io": {
                "type": "boolean",
                "value": false
            },
            "onlyOnChange": {
                "type": "boolean",
                "value": false
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        },
        "socomec-mqtt": {
            "name": {
                "type": "text",
                "value": ""
            },
            "prefix": {
                "type": "text",
                "value": "socomec",
                "required": true,
                "pattern": "^(?=.*[A-Za-z0-9])[^+#]*$"
            },
            "site": {
                "type": "text",
                "value": "site",
                "required": true,
                "pattern": "^(?=.*[A-Za-z0-9])[^+#]*$"
            },
            "names": {
                "type": "names",
                "value": "",
                "max": 247
            },
            "values": {
                "type": "boolean",
                "value": true
            },
            "state": {
                "type": "boolean",
                "value": true
            },
            "retain": {
                "type": "boolean",
                "value": false
            },
            "qos": {
                "type": "choice",
                "value": 1,
                "choices": [
                    0,
                    1,
                    2
                ],
                "blank": true
            },
            "discovery": {
                "type": "boolean",
                "value": false
            },
            "discoveryPrefix": {
                "type": "text",
                "value": "homeassistant",
                "required": true,
                "pattern": "^(?=.*[A-Za-z0-9])[^+#]*$",
                "when": "discovery"
            },
            "instanceStatusTopic": {
                "type": "text",
                "value": "",
                "pattern": "^[^+#]*$"
            },
            "staleSeconds": {
                "type": "number",
                "value": 0,
                "min": 0,
                "max": 86400,
                "blank": true,
                "hint": true
            },
            "configVersion": {
                "type": "integer",
                "value": 1,
                "min": 1,
                "max": 1,
                "blank": true
            }
        }
    },
    settingProblem: function settingProblem(spec, value, others) {
    const blank = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
    if (spec.transports && spec.transports.indexOf(String(others.transport || 'tcp')) < 0)
        return undefined;
    // Node-RED puts environment variables in ("${METER_HOST}") before the runtime sees the value.
    if (typeof value === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim()))
        return undefined;
    if (spec.type === 'boolean' || spec.type === 'config')
        return undefined;
    if (spec.when !== undefined && others[spec.when] !== true)
        return undefined;
    if (spec.type === 'text') {
        if (blank)
            return spec.required ? { key: 'required', params: {} } : undefined;
        return spec.pattern !== undefined && !new RegExp(spec.pattern).test(String(value)) ? { key: 'pattern', params: {} } : undefined;
    }
    if (spec.type === 'unitIds' || spec.type === 'names') {
        if (blank)
            return undefined;
        // "5-12, 20" (unitIds) or "5=incomer, 6=pv" (names): every entry a unit id 1..max, a range in order, a name with a letter or digit.
        const max = spec.max === undefined ? 247 : spec.max;
        const bad = String(value)
            .split(/[,;\n]+/)
            .filter((entry) => entry.trim() !== '')
            .filter((entry) => {
            if (spec.type === 'names') {
                const named = /^\s*(\d{1,3})\s*[=:]\s*(.+?)\s*$/.exec(entry);
                return named === null || Number(named[1]) < 1 || Number(named[1]) > max || !/[A-Za-z0-9]/.test(named[2]);
            }
            const range = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$/.exec(entry);
            if (range === null)
                return true;
            const from = Number(range[1]);
            const to = range[2] === undefined ? from : Number(range[2]);
            return from < 1 || to > max || to < from;
        });
        return bad.length > 0 ? { key: spec.type, params: { entries: bad.map((entry) => entry.trim()).join(', '), max } } : undefined;
    }
    if (spec.type === 'choices') {
        const list = Array.isArray(value) ? value : [];
        const choices = spec.choices || [];
        if (list.length === 0 && spec.blank)
            return undefined;
        const ok = list.length > 0 && list.every((item) => choices.indexOf(item) >= 0);
        return ok ? undefined : { key: 'someOf', params: { choices: choices.join(', ') } };
    }
    if (blank)
        return spec.blank ? undefined : { key: 'required', params: {} };
    if (spec.type === 'choice') {
        const choices = spec.choices || [];
        const found = choices.some((choice) => String(choice) === String(value).trim());
        if (!found)
            return { key: 'oneOf', params: { choices: choices.join(', ') } };
        if (spec.guarded && spec.guarded.choices.indexOf(String(value)) >= 0 && others[spec.guarded.by] !== true) {
            return { key: 'needs', params: { option: spec.guarded.by } };
        }
        return undefined;
    }
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    const min = spec.min === undefined ? -Infinity : spec.min;
    const max = spec.max === undefined ? Infinity : spec.max;
    const whole = spec.type === 'integer';
    if (!isFinite(n) || (whole && Math.floor(n) !== n) || n < min || n > max) {
        return { key: whole ? 'integer' : 'number', params: { min, max } };
    }
    if (spec.atLeast !== undefined) {
        const other = Number(others[spec.atLeast]);
        if (isFinite(other) && String(others[spec.atLeast]).trim() !== '' && n < other)
            return { key: 'atLeast', params: { other: spec.atLeast, value: other } };
    }
    return undefined;
},
};
