/** Harness's identifier rule: a letter or `_`, then letters, digits, `_` or `$`; 128 characters at most. */
export const IDENTIFIER_PATTERN = /^[a-zA-Z_][0-9a-zA-Z_$]{0,127}$/;

/** Words Harness rejects as identifiers because its expression language (JEXL) reserves them. */
export const RESERVED_IDENTIFIERS: ReadonlySet<string> = new Set([
  'or', 'and', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'div', 'mod', 'not', 'null', 'true', 'false',
  'new', 'var', 'return', 'shellScriptProvisioner', 'class',
]);

/** Returns why `value` is not a valid identifier, or undefined when it is valid. */
export function identifierError(value: string): string | undefined {
  if (!IDENTIFIER_PATTERN.test(value)) {
    return (
      `invalid identifier "${value}": an identifier starts with a letter or "_" and contains only ` +
      'letters, digits, "_" and "$" (128 characters at most)'
    );
  }
  if (RESERVED_IDENTIFIERS.has(value)) {
    return `invalid identifier "${value}": "${value}" is a reserved word of the expression language`;
  }
  return undefined;
}
