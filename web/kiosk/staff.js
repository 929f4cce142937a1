// Staff unlock at the kiosk: a member of staff signs in by name and PIN in the unlock dialog (the
// "Staff" button), or by scanning their staff card, whose QR code carries `lanyard-staff|<name>|<PIN>`
// and is read like a ticket; the kiosk then opens the page of their role. A card is a credential
// like the PIN it carries, and the same lockouts apply to both (docs/kiosk.md).
import { t } from "kiosk/i18n.js";

const cardPrefix = "lanyard-staff|";
const dialog = document.getElementById("unlock");
const form = document.getElementById("unlock-form");
const nameField = document.getElementById("unlock-name");
const pinField = document.getElementById("unlock-pin");
const error = document.getElementById("unlock-error");

/** `{name, pin}` from a staff card's read, or null for anything else. */
export function fromCard(text) {
  if (!text.startsWith(cardPrefix)) return null;
  const [name, pin, ...rest] = text.slice(cardPrefix.length).split("|");
  return name && pin && rest.length === 0 ? { name, pin } : null;
}

/** The page a role works on. */
export function pageFor(role) {
  return role === "technician" ? "/technician" : "/operator";
}

async function signIn(name, pin) {
  let status = 0;
  let body = null;
  try {
    const response = await fetch("/v1/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, pin }),
    });
    status = response.status;
    body = await response.json().catch(() => null);
  } catch {
    status = 0;
  }
  if (status === 200) {
    location.assign(pageFor(body.role));
    return;
  }
  if (!dialog.open) dialog.showModal();
  pinField.value = "";
  error.textContent = t(status === 401 ? "unlock_refused" : status === 429 ? "unlock_locked" : "unlock_failed");
  (nameField.value ? pinField : nameField).focus();
}

/** A staff card's read signs its holder in; true when `text` was one. */
export function unlockWithCard(text) {
  const card = fromCard(text);
  if (card) signIn(card.name, card.pin);
  return card !== null;
}

export function closeUnlock() {
  if (dialog.open) dialog.close();
  form.reset();
  error.textContent = "";
}

export function setupUnlock() {
  document.getElementById("staff").addEventListener("click", () => {
    closeUnlock();
    dialog.showModal();
    nameField.focus();
  });
  document.getElementById("unlock-cancel").addEventListener("click", closeUnlock);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!nameField.value.trim() || !pinField.value) {
      error.textContent = t("unlock_refused");
      return;
    }
    signIn(nameField.value.trim(), pinField.value);
  });
}
