// The operator page's scan-quality section: every printer's reads and the adjustments the agent
// made, read-only (a technician keeps or reverts them on the technician's page). Read every two
// seconds while the page is on screen, beside the overview, and redrawn only when it changed.
import { language, t } from "common/i18n.js";
import { request } from "staff/api.js";
import { element } from "staff/dom.js";
import { printerBlock, rule } from "staff/scanquality.js";
import { onLanguageChange } from "staff/shell.js";

const pollMs = 2000;
const part = (id) => document.getElementById(id);
let latest = null;
let drawnKey = "";
let timer = 0;

function draw(view) {
  latest = view;
  const key = language() + JSON.stringify(view);
  if (key === drawnKey) return;
  drawnKey = key;
  part("scan-quality-rule").textContent = rule(view);
  const unattributed = view.unattributed;
  part("scan-quality-printers").replaceChildren(...view.printers.map((printer) => printerBlock(view, printer)),
    element("p", { className: "muted", textContent: t("sq_unattributed", { total: unattributed.total, failures: unattributed.failures }) }));
  const pending = view.printers.reduce((sum, printer) => sum + printer.pending.length, 0);
  document.body.dataset.scanPending = String(pending);
}

async function poll() {
  clearTimeout(timer);
  if (document.visibilityState !== "visible") return;
  try {
    const answer = await request("GET", "/v1/operator/scan-quality", undefined, 5000);
    if (answer.status === 200) draw(answer.body);
  } catch (error) {
    console.error("the scan quality could not be read", error);
  }
  timer = setTimeout(poll, pollMs);
}

/** Starts the section once the operator is signed in (the overview's poll asks for that). */
export function startScanQuality() {
  onLanguageChange(() => {
    drawnKey = "";
    if (latest) draw(latest);
  });
  document.addEventListener("visibilitychange", poll);
  poll();
}
