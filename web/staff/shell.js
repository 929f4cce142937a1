// The frame every staff page shares: the nav between the staff pages and back to the kiosk, the
// language picker, who is signed in with a sign-out button, and the sign-in that stands in for
// the page's content until someone whose role allows the page has signed in.
//
// A page's HTML has these elements (docs/operator.md, "The staff shell"): `#staff-nav`,
// `#staff-language` (a select), `#staff-user`, `#staff-sign-in` and `#staff-content`, which
// stays hidden while nobody suitable is signed in.
import { languages, language, setLanguage, supported, t, useCatalogs } from "common/i18n.js";
import { element } from "staff/dom.js";
import { requireStaff, signOut } from "staff/session.js";

/** The staff pages and the kiosk, in the nav's order: path and message key. */
const pages = [["/operator", "nav_operator"], ["/technician", "nav_technician"], ["/", "nav_kiosk"]];
const storedLanguage = "lanyard.staff.language";
const languageListeners = [];
let neededRole = "";
let pending = null;

const part = (id) => document.getElementById(id);

/**
 * Starts a staff page that needs `role` ("operator", "technician"; admin may open every page),
 * with its messages in `messages/<catalog>/<language>.json` beside the shell's
 * `messages/staff/`. Resolves with the session (`{name, role, expires_at}`) once someone whose
 * role allows the page is signed in, the page's content shown.
 */
export async function startStaffPage({ role, catalog }) {
  neededRole = role;
  useCatalogs("messages/staff", `messages/${catalog}`);
  buildNav();
  buildLanguagePicker();
  await switchLanguage(localStorage.getItem(storedLanguage) ?? supported(navigator.language) ?? "en");
  return signedIn();
}

/**
 * Hides the page's content and asks for a sign-in until someone suitable is signed in; resolves
 * with that session. A page calls it when the agent answers 401 (the session ended or was signed
 * out elsewhere); calls while one is pending share it.
 */
export function signedIn() {
  pending ??= (async () => {
    part("staff-content").hidden = true;
    part("staff-user").hidden = true;
    const session = await requireStaff(neededRole, part("staff-sign-in"));
    showUser(session);
    part("staff-content").hidden = false;
    pending = null;
    return session;
  })();
  return pending;
}

/** Calls `callback(language)` after every change of language, for text a page draws itself. */
export function onLanguageChange(callback) {
  languageListeners.push(callback);
}

async function switchLanguage(code) {
  await setLanguage(supported(code) ?? "en");
  part("staff-language").value = language();
  localStorage.setItem(storedLanguage, language());
  for (const callback of languageListeners) callback(language());
}

function buildNav() {
  const items = pages.map(([path, key]) => {
    const link = element("a", { href: path, textContent: t(key), dataset: { i18n: key } });
    if (location.pathname === path) link.setAttribute("aria-current", "page");
    return element("li", {}, link);
  });
  part("staff-nav").replaceChildren(element("ul", {}, ...items));
}

function buildLanguagePicker() {
  const select = part("staff-language");
  select.append(...languages.map(([code, name]) => element("option", { value: code, lang: code, textContent: name })));
  select.addEventListener("change", () => switchLanguage(select.value));
}

function showUser(session) {
  const who = element("span", { dataset: { name: session.name } });
  const describe = () => { who.textContent = t("signed_in_as", { name: session.name, role: t(`role_${session.role}`) }); };
  describe();
  languageListeners.push(describe);
  const out = element("button", { type: "button", id: "staff-sign-out", textContent: t("sign_out"), dataset: { i18n: "sign_out" } });
  out.addEventListener("click", async () => {
    languageListeners.splice(languageListeners.indexOf(describe), 1);
    await signOut();
    await signedIn();
  });
  part("staff-user").replaceChildren(who, out);
  part("staff-user").hidden = false;
}
