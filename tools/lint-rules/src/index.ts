// Public API of @lb/lint-rules: none. The rules are plugin.mjs, which eslint.config.mjs loads
// directly; the test lints lint-fixtures/ with them.
export {};
