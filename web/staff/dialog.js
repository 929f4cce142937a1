// A modal dialog asking for a reason before an audited action (a reprint, a review decision):
// labelled by its heading, the reason required, Escape or Cancel to back out. Keyboard focus
// stays inside while it is open and returns to where it was once it closes.
import { t } from "common/i18n.js";
import { element } from "staff/dom.js";

let dialog = null;
let parts = null;

function build() {
  const title = element("h2", { id: "staff-dialog-title" });
  const detail = element("p", { id: "staff-dialog-detail" });
  const label = element("label", { htmlFor: "staff-dialog-reason" });
  const reason = element("textarea", { id: "staff-dialog-reason", rows: 3, maxLength: 500, required: true });
  const error = element("p", { id: "staff-dialog-error", className: "error", attributes: { role: "alert" } });
  const cancel = element("button", { type: "button", id: "staff-dialog-cancel" });
  const confirm = element("button", { type: "submit", id: "staff-dialog-confirm", className: "primary" });
  const form = element("form", { noValidate: true }, title, detail, label, reason, error,
    element("div", { className: "actions" }, cancel, confirm));
  dialog = element("dialog", {
    className: "staff-dialog", attributes: { "aria-labelledby": "staff-dialog-title", "aria-describedby": "staff-dialog-detail" },
  }, form);
  document.body.append(dialog);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      error.textContent = t("reason_required");
      reason.focus();
      return;
    }
    dialog.close("confirm");
  });
  cancel.addEventListener("click", () => dialog.close("cancel"));
  parts = { title, detail, label, reason, error, cancel, confirm };
}

/**
 * Asks for a reason: resolves with it (trimmed), or null when the person backs out. `title`,
 * `detail` and `confirm` are the texts of the heading, the explanation and the button that acts.
 */
export function askReason({ title, detail = "", confirm }) {
  if (!dialog) build();
  parts.title.textContent = title;
  parts.detail.textContent = detail;
  parts.label.textContent = t("reason_label");
  parts.cancel.textContent = t("cancel");
  parts.confirm.textContent = confirm;
  parts.reason.value = "";
  parts.error.textContent = "";
  dialog.returnValue = "";
  dialog.showModal();
  parts.reason.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm" ? parts.reason.value.trim() : null), { once: true });
  });
}
