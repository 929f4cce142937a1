// The attendee's page: scan -> check-in -> the badge's preview while it prints -> "take your
// badge" -> back to the start. Every state a door meets has its own screen; no personal detail
// stays on screen once the kiosk is idle.
import { languages, language, setLanguage, supported, t } from "kiosk/i18n.js";
import { garbled, listen } from "kiosk/scanner.js";
import * as api from "kiosk/api.js";
import * as camera from "kiosk/camera.js";
import { hideRename, offerRename, setupRename } from "kiosk/correction.js";
import { closeUnlock, setupUnlock, unlockWithCard } from "kiosk/staff.js";

const defaultLanguage = "en";
/** How long a finished or refused screen stays before the kiosk clears it. */
const resetAfterMs = { printed: 8000, error: 10000, other: 30000 };

const screen = document.getElementById("screen");
const heading = document.getElementById("heading");
const detail = document.getElementById("detail");
const statusLine = document.getElementById("status");
const badge = document.getElementById("badge");
const preview = document.getElementById("preview");
const restart = document.getElementById("restart");
const find = document.getElementById("find");
const searchForm = document.getElementById("search");
const query = document.getElementById("query");
const results = document.getElementById("results");
const confirmation = document.getElementById("confirm");
let chosen = null;

let stopFollowing = () => {};
let resetTimer = 0;
let busy = false;
let shown = { state: "idle", heading: "welcome", detail: "scan_prompt", status: "" };

function show(state, headingKey, detailKey, statusKey = "", values = undefined) {
  shown = { state, heading: headingKey, detail: detailKey, status: statusKey, values };
  screen.dataset.state = state;
  heading.textContent = t(headingKey);
  detail.textContent = detailKey ? t(detailKey, values) : "";
  statusLine.textContent = statusKey ? t(statusKey) : "";
  restart.hidden = state === "idle";
  find.hidden = state !== "idle";
  camera.offer(state === "idle");
  searchForm.hidden = state !== "searching";
  results.hidden = state !== "searching" || results.childElementCount === 0;
  confirmation.hidden = state !== "confirming";
  clearTimeout(resetTimer);
  if (state !== "idle") {
    const delay = state === "printed" ? resetAfterMs.printed : state === "error" ? resetAfterMs.error : resetAfterMs.other;
    resetTimer = setTimeout(reset, delay);
  }
}

/** Back to the welcome screen: every personal detail off the screen and out of memory. */
async function reset() {
  stopFollowing();
  stopFollowing = () => {};
  camera.stop();
  hideRename();
  closeUnlock();
  busy = false;
  if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
  preview.removeAttribute("src");
  preview.alt = "";
  for (const id of ["name", "company", "tier"]) document.getElementById(id).textContent = "";
  badge.hidden = true;
  query.value = "";
  results.replaceChildren();
  chosen = null;
  if (language() !== defaultLanguage) await setLanguage(defaultLanguage);
  markLanguage();
  show("idle", "welcome", "scan_prompt");
}

async function showAttendee(id) {
  const person = await api.attendee(id);
  if (!person) return;
  if (shown.state === "confirming") offerRename(person);
  const own = supported(person.locale);
  if (own && own !== language()) {
    await setLanguage(own);
    markLanguage();
    show(shown.state, shown.heading, shown.detail, shown.status, shown.values);
  }
  document.getElementById("name").textContent = [person.first_name, person.last_name].filter(Boolean).join(" ");
  document.getElementById("company").textContent = person.company ?? "";
  document.getElementById("tier").textContent = person.access_tier ?? "";
  const url = await api.badgePreview(id);
  if (url) {
    if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
    preview.src = url;
    preview.alt = t("preview_alt");
    badge.hidden = false;
    await preview.decode().catch(() => {});
    requestAnimationFrame(() => performance.mark("lanyard:preview"));
  }
}

function onJobEvent({ job, printer, collect_at: collectAt }) {
  // Printed away from this kiosk (a peer kiosk, an office printer): where to collect it.
  if (collectAt && ["queued", "sending", "sent", "printed"].includes(job.state)) {
    const place = { place: collectAt };
    if (job.state === "printed") {
      stopFollowing();
      show("printed", "printed_elsewhere", "collect_at", "", place);
    } else {
      show("printing", "printing_elsewhere", "collect_at", "printing_status", place);
    }
    return;
  }
  if (printer && !printer.ready && !["printed", "manual_review", "dead_lettered", "cancelled"].includes(job.state)) {
    show("out-of-order", "out_of_order", "out_of_order_detail");
    return;
  }
  switch (job.state) {
    case "queued": show("printing", "printing", "", "queued"); break;
    case "sending": case "sent": show("printing", "printing", "", "printing_status"); break;
    case "printed":
      stopFollowing();
      show("printed", "printed", "printed_detail");
      break;
    default:
      stopFollowing();
      show("error", "error", "error_detail");
  }
}

const refusals = {
  "agent.ticket_other_event": ["other_event", "other_event_detail"],
  "agent.unauthorized": ["invalid", "invalid_detail"],
  "agent.not_found": ["not_found", "not_found_detail"],
  "agent.queue_full": ["busy", "busy_detail"],
};

/** A job accepted for the attendee: its preview on screen while the page follows it. */
async function followJob(job) {
  show("printing", "printing", "", "queued");
  stopFollowing = api.follow(job.id, onJobEvent);
  await showAttendee(job.attendee_id);
}

async function runSearch(event) {
  event.preventDefault();
  const text = query.value.trim();
  if (text.length < 3) {
    statusLine.textContent = t("search_hint");
    return;
  }
  const { status, body } = await api.search(text);
  results.replaceChildren();
  if (status === 429) {
    show("searching", "find_button", "", "busy_detail");
    return;
  }
  for (const match of body.matches ?? []) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = [match.name, match.company].filter(Boolean).join(" · ");
    button.addEventListener("click", () => choose(match.attendee_id));
    item.append(button);
    results.append(item);
  }
  show("searching", "find_button", "", results.childElementCount ? "" : "no_results");
}

/** A person picked from the search: their badge's preview, printed only once they confirm. */
async function choose(attendeeID) {
  chosen = attendeeID;
  show("confirming", "confirm_heading", "confirm_detail");
  await showAttendee(attendeeID);
  document.getElementById("print").focus();
}

async function printChosen() {
  if (!chosen || busy) return;
  busy = true;
  try {
    const { status, body } = await api.requestBadge(chosen);
    if (status === 200 && body.state === "printed") {
      show("error", "already_printed", "already_printed_detail");
    } else if (status === 200 || status === 202) {
      await followJob(body);
    } else {
      const [headingKey, detailKey] = refusals[body?.error?.code] ?? ["error", "error_detail"];
      show("error", headingKey, detailKey);
    }
  } catch {
    show("error", "error", "error_detail");
  } finally {
    busy = false;
  }
}

async function onScan(text) {
  // Marks for the kiosk benchmark (Benchmarks/kiosk_page.py): scan -> accepted -> preview painted.
  performance.mark("lanyard:scan");
  if (busy) return;
  if (unlockWithCard(text)) return;
  if (text.startsWith("lanyard-ladder|")) {
    show("error", "ladder_code", "ladder_code_detail");
    return;
  }
  if (garbled(text)) {
    show("error", "garbled", "garbled_detail");
    // Counted by the agent (a check-in counts its own read), which tells a layout mismatch
    // from a damaged code; the screen stays the same either way.
    api.reportScan(text).catch(() => {});
    return;
  }
  busy = true;
  show("checking", "checking", "");
  try {
    const { status, body } = await api.checkIn(text);
    performance.mark("lanyard:accepted");
    if (status !== 200 && status !== 202) {
      const [headingKey, detailKey] = refusals[body?.error?.code] ?? ["invalid", "invalid_detail"];
      show("error", headingKey, detailKey);
      return;
    }
    if (body.duplicate && body.state === "printed") {
      show("error", "already_printed", "already_printed_detail");
      await showAttendee(body.attendee_id);
      return;
    }
    await followJob(body);
  } catch {
    show("error", "error", "error_detail");
  } finally {
    busy = false;
  }
}

function markLanguage() {
  for (const button of document.querySelectorAll("#languages button")) {
    button.setAttribute("aria-current", String(button.dataset.language === language()));
  }
}

function toggle(button, className) {
  const on = button.getAttribute("aria-pressed") !== "true";
  button.setAttribute("aria-pressed", String(on));
  document.documentElement.classList.toggle(className, on);
}

async function start() {
  const nav = document.getElementById("languages");
  for (const [code, name] of languages) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.language = code;
    button.lang = code;
    button.textContent = name;
    button.addEventListener("click", async () => {
      await setLanguage(code);
      markLanguage();
      show(shown.state, shown.heading, shown.detail, shown.status, shown.values);
    });
    nav.append(button);
  }
  document.getElementById("contrast").addEventListener("click", (event) => toggle(event.currentTarget, "high-contrast"));
  document.getElementById("large").addEventListener("click", (event) => toggle(event.currentTarget, "large-text"));
  restart.addEventListener("click", reset);
  find.addEventListener("click", () => {
    show("searching", "find_button", "");
    query.focus();
  });
  searchForm.addEventListener("submit", runSearch);
  document.getElementById("print").addEventListener("click", printChosen);
  await setLanguage(defaultLanguage);
  markLanguage();
  show("idle", "welcome", "scan_prompt");
  listen(onScan);
  camera.setup(onScan);
  setupUnlock();
  setupRename({
    onSaved: async (said) => {
      await showAttendee(chosen);
      statusLine.textContent = said;
    },
    onActivity: () => {
      clearTimeout(resetTimer);
      resetTimer = setTimeout(reset, resetAfterMs.other);
    },
  });
  document.body.dataset.ready = "true";
  performance.mark("lanyard:ready");
}

start();
