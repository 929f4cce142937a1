// The operator page's calls: one overview it polls, and the audited actions.
import { request } from "staff/api.js";

// Polled every two seconds: an answer later than a few polls is given up and asked for again.
export const overview = (hours) => request("GET", `/v1/operator/overview?hours=${hours}`, undefined, 5000);
export const reprint = (jobID, reason) => request("POST", `/v1/jobs/${jobID}/reprint?reason=${encodeURIComponent(reason)}`);
export const replay = (letterID) => request("POST", `/v1/dead-letters/${letterID}/replay`);
export const decide = (jobID, decision, reason) => request("POST", `/v1/manual-review/${jobID}/decision`, { decision, reason });
export const cancel = (jobID, reason) => request("POST", `/v1/jobs/${jobID}/cancel`, { reason });
export const move = (jobID, printer, reason) => request("POST", `/v1/jobs/${jobID}/move`, { printer, reason });
