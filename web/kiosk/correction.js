// "Change how my name is written", on the confirm screen of an attendee found by search, where the
// event allows it: the registered name in other capitals, with accents or spacing. The agent
// refuses anything else (staff can make it); a saved correction is kept beside the registration and
// audited, and the preview is drawn again from it before anything prints.
import { t } from "kiosk/i18n.js";

const button = document.getElementById("rename");
const form = document.getElementById("rename-form");
const first = document.getElementById("rename-first");
const last = document.getElementById("rename-last");
const error = document.getElementById("rename-error");
let attendeeID = null;

/** Offers the correction for `person` (the kiosk's view of them) when the event allows it. */
export function offerRename(person) {
  attendeeID = person.attendee_id;
  button.hidden = !person.name_corrections;
  button.setAttribute("aria-expanded", "false");
  form.hidden = true;
  error.textContent = "";
  first.value = person.first_name ?? "";
  last.value = person.last_name ?? "";
}

export function hideRename() {
  attendeeID = null;
  button.hidden = true;
  button.setAttribute("aria-expanded", "false");
  form.hidden = true;
  form.reset();
  error.textContent = "";
}

/** `onSaved()` runs after a correction is stored (to draw the preview again). */
export function setupRename({ onSaved, onActivity }) {
  button.addEventListener("click", () => {
    form.hidden = !form.hidden;
    button.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) first.focus();
    onActivity();
  });
  form.addEventListener("input", onActivity);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!attendeeID) return;
    const response = await fetch(`/v1/kiosk/attendees/${encodeURIComponent(attendeeID)}/name`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ first_name: first.value, last_name: last.value }),
    }).catch(() => null);
    if (response?.status === 200) {
      hideRename();
      await onSaved(t("rename_done"));
      return;
    }
    error.textContent = t(response?.status === 409 ? "rename_needs_staff" : response?.status === 400 ? "rename_invalid" : "error_detail");
  });
}
