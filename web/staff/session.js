// Staff sign-in by name and PIN (POST/GET/DELETE /v1/session). The session lives in an HttpOnly,
// SameSite=Strict cookie: this module never sees it, it only asks the agent who is signed in.
import { t } from "common/i18n.js";
import { request } from "staff/api.js";
import { element } from "staff/dom.js";

/** Whether `session` may use a page that needs `role`: that role, or admin, which may do everything. */
export function allows(session, role) {
  return session?.role === "admin" || session?.role === role;
}

/** `{name, role, expires_at}` of whoever is signed in here, or null. */
export async function currentSession() {
  const answer = await request("GET", "/v1/session");
  return answer.status === 200 ? answer.body : null;
}

export async function signOut() {
  await request("DELETE", "/v1/session");
}

/**
 * Resolves with the session once someone whose role allows `role` is signed in. Until then
 * `mount` shows the sign-in form (or, for someone signed in with another role, who that is and
 * a sign-out button); it is emptied and hidden again once the promise resolves.
 */
export async function requireStaff(role, mount) {
  const session = await currentSession();
  if (allows(session, role)) return session;
  return new Promise((resolve) => {
    const done = (signedIn) => {
      mount.replaceChildren();
      mount.hidden = true;
      resolve(signedIn);
    };
    if (session) showWrongRole(mount, role, session, done);
    else showForm(mount, role, done);
  });
}

/** An element whose text is the message `key`, relabelled when the language changes. */
function message(tag, key, properties = {}) {
  return element(tag, { ...properties, textContent: t(key), dataset: { i18n: key } });
}

function heading() {
  return message("h2", "sign_in_heading", { id: "staff-sign-in-heading" });
}

function showForm(mount, role, done) {
  const name = element("input", {
    id: "staff-name", name: "name", autocomplete: "username", autocapitalize: "none", spellcheck: false, required: true,
  });
  const pin = element("input", {
    id: "staff-pin", name: "pin", type: "password", inputMode: "numeric", autocomplete: "current-password", required: true,
  });
  const error = element("p", { id: "staff-sign-in-error", className: "error", attributes: { role: "alert" } });
  const submit = message("button", "sign_in_button", { type: "submit", className: "primary" });
  const form = element("form", { id: "staff-sign-in-form", noValidate: true },
    message("p", "sign_in_detail"),
    message("label", "sign_in_name", { htmlFor: "staff-name" }), name,
    message("label", "sign_in_pin", { htmlFor: "staff-pin" }), pin,
    submit, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!name.value.trim() || !pin.value) {
      error.textContent = t("sign_in_missing");
      (name.value.trim() ? pin : name).focus();
      return;
    }
    submit.disabled = true;
    let answer;
    try {
      answer = await request("POST", "/v1/session", { name: name.value.trim(), pin: pin.value });
    } catch {
      answer = { status: 0 };
    }
    submit.disabled = false;
    pin.value = "";
    if (answer.status === 200) {
      if (allows(answer.body, role)) done(answer.body);
      else showWrongRole(mount, role, answer.body, done);
      return;
    }
    error.textContent = answer.status === 401 ? t("sign_in_refused")
      : answer.status === 429 ? t("sign_in_locked", { seconds: answer.headers.get("Retry-After") ?? "300" })
        : t("sign_in_failed");
    pin.focus();
  });
  mount.replaceChildren(heading(), form);
  mount.hidden = false;
  name.focus();
}

/** Someone is signed in whose role does not allow this page: who, and a way to sign out. */
function showWrongRole(mount, role, session, done) {
  const out = message("button", "sign_out", { type: "button" });
  out.addEventListener("click", async () => {
    await signOut();
    showForm(mount, role, done);
  });
  const notice = element("p", {
    className: "error", attributes: { role: "alert" },
    textContent: t("wrong_role", { name: session.name, role: t(`role_${session.role}`), needed: t(`role_${role}`) }),
  });
  mount.replaceChildren(heading(), notice, out);
  mount.hidden = false;
  out.focus();
}
