// The technician page's scan-quality section for the chosen printer: its reads by template
// version, the failure rate, and the adjustments the agent made, each awaiting review with Keep
// (it stays; the agent records who decided) and Revert (the QR module floor or darkness goes back
// to what it was, in a new tuning, audited).
import { t } from "common/i18n.js";
import { request } from "staff/api.js";
import { element } from "staff/dom.js";
import { describeChange, printerBlock, rule } from "staff/scanquality.js";

const part = (id) => document.getElementById(id);
const path = (printer) => `/v1/printers/${encodeURIComponent(printer)}/scan-quality`;
let shown = null;

/**
 * Draws the section for `printer`; `call` is the page's API wrapper (a 401 asks for a sign-in),
 * `onChanged` reloads what a decision changes (the printer's tuning, this section).
 */
export async function loadScanQuality(call, printer, onChanged = () => {}) {
  const answer = await call(() => request("GET", path(printer)));
  if (answer.status !== 200) return;
  shown = { view: answer.body, printer, call, onChanged };
  draw();
}

export function redrawScanQuality() {
  if (shown) draw();
}

function draw() {
  const { view } = shown;
  const printer = view.printers[0];
  part("scan-quality-rule").textContent = rule(view);
  const floor = printer.tuning?.qr_module_dots;
  part("scan-quality-floor").textContent = floor ? t("sq_floor", { dots: floor }) : t("sq_no_floor");
  part("scan-quality-printer").replaceChildren(printerBlock(view, printer, { actions: (adjustment) => buttons(adjustment) }));
  document.body.dataset.scanPending = String(printer.pending.length);
}

function buttons(adjustment) {
  const label = describeChange(adjustment);
  return ["keep", "revert"].map((decision) => element("button", {
    type: "button", textContent: t(`sq_${decision}`), dataset: { decision, focusKey: `${decision}-${adjustment.id}` },
    attributes: { "aria-label": t(`sq_${decision}_label`, { change: label }) },
    onclick: () => decide(adjustment.id, decision),
  }));
}

async function decide(id, decision) {
  const { call, printer, onChanged } = shown;
  const answer = await call(() => request("POST", `${path(printer)}/adjustments/${id}`, { decision }));
  const status = part("action-status");
  if (answer.status === 200) {
    status.textContent = t(decision === "keep" ? "sq_kept" : "sq_reverted");
    document.body.dataset.scanDecision = `${id}/${decision}`;
  } else {
    status.textContent = answer.body?.error?.message ?? t("failed", { status: answer.status });
  }
  // The tuning in force and its history changed too (a revert writes a new tuning).
  await onChanged();
}
