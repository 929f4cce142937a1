// The technician's page: what the printer is and how it is doing, the labels that prove it
// (test badge, configuration label, media calibration), the darkness x speed ladder with scan to
// choose (the scanner's read of the best cell's QR code stores its settings, no typing), the
// tuning history, and the scanner self-test. The printer's state is read every two seconds while
// the page is on screen.
import { t } from "common/i18n.js";
import { listen } from "kiosk/scanner.js";
import { problemCode } from "staff/api.js";
import { cell, element, fillRows } from "staff/dom.js";
import * as format from "staff/format.js";
import { onLanguageChange, signedIn, startStaffPage } from "staff/shell.js";
import * as api from "technician/api.js";
import { diagnose, readOnce } from "technician/selftest.js";
import { loadScanQuality, redrawScanQuality } from "technician/scanquality.js";

const pollMs = 2000;
const ladderPrefix = "lanyard-ladder|";
const part = (id) => document.getElementById(id);
const choice = part("printer-choice");
let current = null;
let selfTest = null;
let timer = 0;

/** Runs an API call; a 401 (the session ended) asks for a sign-in and tries once more. */
async function call(operation) {
  let answer = await operation();
  if (answer.status === 401) {
    await signedIn();
    answer = await operation();
  }
  return answer;
}

function say(text) {
  part("action-status").textContent = text;
}

function refusal(answer) {
  return answer.body?.error?.message ?? t("failed", { status: answer.status });
}

function settings(darkness, speed) {
  return t("settings", { darkness: darkness ?? t("model_default"), speed: speed ?? t("model_default") });
}

function showState(printer) {
  const blocked = printer.conditions.filter((condition) => condition !== "ready" && condition !== "unknown");
  const card = part("printer-state");
  card.dataset.state = blocked.length ? "bad" : printer.activity === "disconnected" ? "warn" : "good";
  part("state-text").textContent = blocked.length
    ? blocked.map((condition) => t(`condition_${condition}`)).join(", ")
    : t(`activity_${printer.activity}`);
  part("state-detail").textContent = t("queue_depth", { count: printer.queue_depth });
}

function showDetail(detail) {
  current = detail;
  showState(detail.printer);
  const rows = [
    ["identity_model", detail.identification?.model ?? t("not_answered")],
    ["identity_firmware", detail.identification?.firmware ?? "–"],
    ["identity_profile", `${detail.profile.model} (${detail.profile.id})`],
    ["identity_resolution", t("dpi", { dpi: detail.profile.dpi })],
    ["identity_language", detail.profile.language.toUpperCase()],
    ["identity_address", detail.printer.id + (detail.simulated ? ` · ${t("simulated")}` : "")],
  ];
  part("identity").replaceChildren(...rows.flatMap(([key, value]) => [element("dt", { textContent: t(key) }), element("dd", { textContent: value })]));
  part("tuning-now").textContent = detail.tuning ? settings(detail.tuning.darkness, detail.tuning.speed_ips) : t("never_tuned");
  const { darkness, speed_ips: speed } = detail.profile;
  part("tuning-range").textContent = t("ranges", {
    darknessMin: darkness.min, darknessMax: darkness.max, darknessDefault: darkness.default,
    speedMin: speed.min, speedMax: speed.max, speedDefault: speed.default,
  });
  part("ladder-hint").textContent = t("ladder_hint", { darknessMin: darkness.min, darknessMax: darkness.max, speedMin: speed.min, speedMax: speed.max });
}

async function loadPrinter() {
  const answer = await call(() => api.detail(choice.value));
  if (answer.status === 200) showDetail(answer.body);
  await loadHistory();
  await loadScanQuality(call, choice.value, loadPrinter);
}

async function loadHistory() {
  const answer = await call(() => api.tuningHistory(choice.value));
  if (answer.status !== 200) return;
  fillRows(part("history-rows"), part("history-empty"), answer.body.history, (change) => [
    cell(format.dateTime(change.recorded_at)), cell(change.darkness ?? "–"), cell(change.speed_ips ?? "–"),
    cell(change.qr_module_dots ?? "–"), cell(change.reason ?? ""),
  ]);
}

async function poll() {
  clearTimeout(timer);
  if (document.visibilityState !== "visible") return;
  const answer = await call(api.printers);
  if (answer.status === 200) {
    const printer = answer.body.printers.find((candidate) => candidate.id === choice.value);
    if (printer) showState(printer);
  }
  timer = setTimeout(poll, pollMs);
}

async function runTask(button) {
  button.disabled = true;
  say(t("task_running"));
  const answer = await call(() => api.task(choice.value, button.dataset.task));
  button.disabled = false;
  say(answer.status === 200 ? t(`done_${button.dataset.task}`, { bytes: answer.body.result.bytes }) : refusal(answer));
}

/** Whole numbers from a field, in Western, Arabic-Indic or full-width digits and any script's commas. */
function numbers(text) {
  const western = text
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/[\uFF10-\uFF19]/g, (digit) => String(digit.charCodeAt(0) - 0xFF10));
  return western.split(/[\s,;\u060C\u061B\u3001\uFF0C\uFF1B]+/).filter(Boolean).map(Number);
}

async function printLadder(event) {
  event.preventDefault();
  const steps = {};
  const darkness = numbers(part("ladder-darkness").value);
  const speeds = numbers(part("ladder-speeds").value);
  if (darkness.some(Number.isNaN) || speeds.some(Number.isNaN)) {
    say(t("ladder_numbers"));
    return;
  }
  if (darkness.length) steps.darkness = darkness;
  if (speeds.length) steps.speed_ips = speeds;
  say(t("task_running"));
  const answer = await call(() => api.task(choice.value, "ladder", steps));
  if (answer.status !== 200) {
    say(refusal(answer));
    return;
  }
  const cells = answer.body.cells;
  part("ladder-rows").replaceChildren(...cells.map((ladderCell, index) => element("tr", { dataset: { payload: ladderCell.payload } },
    cell(index + 1), cell(ladderCell.darkness), cell(ladderCell.speed_ips))));
  part("ladder-cells").hidden = false;
  part("ladder-waiting").hidden = false;
  say(t("ladder_printed", { count: cells.length }));
}

/** A scanned ladder cell: its settings become the printer's tuning, with the chosen reason. */
async function chooseCell(payload) {
  const reason = t(part("ladder-reason").value);
  const answer = await call(() => api.chooseFromLadder(choice.value, payload, reason));
  if (answer.status !== 200) {
    say(problemCode(answer) === "agent.ladder_code_invalid" ? `${t("ladder_refused")} ${refusal(answer)}` : refusal(answer));
    return;
  }
  const { tuning, applied } = answer.body;
  for (const row of part("ladder-rows").rows) row.setAttribute("aria-current", String(row.dataset.payload === payload));
  say(t(applied ? "tuned_applied" : "tuned_later", { settings: settings(tuning.darkness, tuning.speed_ips) }));
  document.body.dataset.tuned = `${tuning.darkness}/${tuning.speed_ips}`;
  part("ladder-waiting").hidden = true;
  await loadPrinter();
}

async function runSelfTest() {
  selfTest?.abort();
  const answer = await call(api.scannerTestCode);
  if (answer.status !== 200) {
    say(refusal(answer));
    return;
  }
  part("scanner-image").src = answer.body.image;
  part("scanner-image").alt = t("scanner_image_alt");
  part("scanner-code").hidden = false;
  part("scanner-findings").replaceChildren(element("li", { textContent: t("scanner_waiting") }));
  selfTest = new AbortController();
  const read = await readOnce(selfTest.signal);
  selfTest = null;
  part("scanner-code").hidden = true;
  if (!read) return;
  const findings = diagnose(answer.body.payload, read);
  part("scanner-findings").replaceChildren(...findings.map(([key, values, pass]) =>
    element("li", { textContent: t(key, values), dataset: { result: pass ? "pass" : "fail", finding: key } })));
  document.body.dataset.selfTest = findings.every(([, , pass]) => pass) ? "pass" : "fail";
}

async function start() {
  await startStaffPage({ role: "technician", catalog: "technician" });
  const answer = await call(api.printers);
  const ids = answer.status === 200 ? answer.body.printers.map((printer) => printer.id) : [];
  choice.replaceChildren(...ids.map((id) => element("option", { value: id, textContent: id })));
  choice.addEventListener("change", loadPrinter);
  for (const button of document.querySelectorAll("[data-task]")) button.addEventListener("click", () => runTask(button));
  part("ladder-form").addEventListener("submit", printLadder);
  part("scanner-start").addEventListener("click", runSelfTest);
  onLanguageChange(() => {
    if (current) showDetail(current);
    redrawScanQuality();
  });
  document.addEventListener("visibilitychange", poll);
  // A ladder cell's read goes to scan to choose; during the self-test that test reads the keys.
  listen((text) => {
    if (selfTest) return;
    if (text.startsWith(ladderPrefix)) chooseCell(text);
    else if (!part("ladder-waiting").hidden) say(t("ladder_not_cell"));
  }, { readInField: (text) => text.startsWith(ladderPrefix) });
  if (ids.length) await loadPrinter();
  poll();
  document.body.dataset.ready = "true";
  // For the page benchmark (Benchmarks/kiosk_page.py): navigation -> the page live with its data.
  performance.mark("lanyard:ready");
}

start();
