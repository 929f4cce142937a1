// The agent's printer API as the technician page uses it (docs/openapi.yaml, /v1/printers).
import { request } from "staff/api.js";

const printer = (id) => `/v1/printers/${encodeURIComponent(id)}`;

/** Every printer with its live state: `{printers: [...]}`. */
export const printers = () => request("GET", "/v1/printers");

/** Profile, identification (`~HI`), tuning and state of one printer. */
export const detail = (id) => request("GET", printer(id));

/** `test_badge`, `configuration_label`, `calibrate_media` or `ladder` (with its steps). */
export const task = (id, action, steps = {}) => request("POST", `${printer(id)}/tasks`, { action, ...steps });

export const tuningHistory = (id) => request("GET", `${printer(id)}/tuning`);

/** Stores the settings of the scanned ladder cell as the printer's tuning. */
export const chooseFromLadder = (id, ladderCode, reason) =>
  request("POST", `${printer(id)}/tuning`, { ladder_code: ladderCode, reason });

export const scannerTestCode = () => request("GET", "/v1/scanner/test-code");
