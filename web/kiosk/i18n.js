// The kiosk page's messages: the shared language handling (common/i18n.js) with the kiosk's
// catalog, `messages/<language>.json`, which is its default.
export { languages, language, setLanguage, supported, t } from "common/i18n.js";
