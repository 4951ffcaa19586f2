/* Sphinx's ngettext picks a plural form with the catalogue's plural
   expression, which for English ("n != 1") returns a boolean, not an index;
   and the en_GB catalogue holds empty plural forms. Together they make the
   search page fail with a script error once it has found something. Use the
   form the expression points at when there is one, else the English text. */
(() => {
  if (typeof Documentation === "undefined") return;
  Documentation.ngettext = (singular, plural, n) => {
    const translated = Documentation.TRANSLATIONS[singular];
    if (Array.isArray(translated)) {
      const form = translated[Number(Documentation.PLURAL_EXPR(n))];
      if (form) return form;
    }
    return n === 1 ? singular : plural;
  };
})();
