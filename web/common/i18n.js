// Message catalogs and the page's language and direction, for every page the agent serves. A
// catalog is a directory with one JSON file per language, the file a translator edits:
// `messages/` is the kiosk's, `messages/staff/` the staff pages' shell, `messages/<page>/` a
// staff page's own. A page names the catalogs it uses; a later one wins on a key both have.

/** The languages the pages offer, each named in itself. */
export const languages = [
  ["en", "English"], ["de", "Deutsch"], ["fr", "Français"], ["es", "Español"],
  ["pt", "Português"], ["ar", "العربية"], ["ja", "日本語"], ["zh", "中文"],
];

const rightToLeft = new Set(["ar"]);
const assetURLs = JSON.parse(document.getElementById("asset-map").textContent);
let directories = ["messages"];
const catalogs = new Map();
let current = "en";

/** The catalogs this page reads (directories under `web/`), in the order they override. */
export function useCatalogs(...names) {
  directories = names;
  catalogs.clear();
}

async function catalog(language) {
  if (!catalogs.has(language)) {
    const parts = await Promise.all(directories.map(async (directory) => {
      const url = assetURLs[`${directory}/${language}.json`];
      return url ? (await fetch(url)).json() : {};
    }));
    catalogs.set(language, Object.assign({}, ...parts));
  }
  return catalogs.get(language);
}

/** The pages' language for a BCP 47 tag (`pt-BR` -> `pt`, `zh-Hans-CN` -> `zh`), or null. */
export function supported(tag) {
  if (!tag) return null;
  const language = tag.toLowerCase().split(/[-_]/)[0];
  return languages.some(([code]) => code === language) ? language : null;
}

export function language() { return current; }

/**
 * The message `key` in the current language, English where a catalog lacks it, with each
 * `{name}` replaced by `values[name]`.
 */
export function t(key, values) {
  const text = catalogs.get(current)?.[key] ?? catalogs.get("en")?.[key] ?? key;
  return values ? text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole)) : text;
}

/**
 * Switches the page's language and direction and relabels every `[data-i18n]` element (its
 * text) and `[data-i18n-label]` element (its `aria-label`).
 */
export async function setLanguage(code) {
  await catalog("en");
  await catalog(code);
  current = code;
  document.documentElement.lang = code;
  document.documentElement.dir = rightToLeft.has(code) ? "rtl" : "ltr";
  document.title = t("title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of document.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  }
}
