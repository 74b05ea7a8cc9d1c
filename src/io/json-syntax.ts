/**
 * Where JSON.parse failed, as `line 3, column 7: unexpected "}", expected a value`. V8's
 * messages give a position only for some errors ("Unexpected token '}', ... is not valid JSON"
 * has none), so a small RFC 8259 scanner finds the offset. Moved here from the case reader so
 * that every document reader (src/io/document.ts) reports syntax errors the same way.
 */

export interface JsonErrorLocation {
  offset: number;
  reason: string;
}

/** `line 3, column 7` (1-based; columns in UTF-16 code units). */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

const MAX_NESTING = 5000;

/** The first syntax error of `text` as JSON, or null when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | null {
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw { offset: at, reason } satisfies JsonErrorLocation;
  };
  const describe = (): string =>
    pos >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[pos])}`;
  const ws = (): void => {
    while (pos < text.length) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else break;
    }
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, pos)) pos += word.length;
    else fail(`${describe()}, expected a value`);
  };
  const digits = (what: string): void => {
    const start = pos;
    while (pos < text.length && text[pos] >= '0' && text[pos] <= '9') pos++;
    if (pos === start) fail(`${describe()}, expected ${what}`);
  };
  const number = (): void => {
    if (text[pos] === '-') pos++;
    if (text[pos] === '0') pos++;
    else digits('a digit');
    if (text[pos] === '.') {
      pos++;
      digits('a digit after the decimal point');
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      pos++;
      if (text[pos] === '+' || text[pos] === '-') pos++;
      digits('a digit in the exponent');
    }
  };
  const string = (): void => {
    const start = pos;
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const code = text.charCodeAt(pos);
      if (code === 0x22) {
        pos++;
        return;
      }
      if (code < 0x20) fail('control character in string (escape it)');
      if (code === 0x5c) {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('bad \\u escape (expected 4 hex digits)');
          pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          pos += 2;
        } else {
          fail(`bad escape ${JSON.stringify('\\' + (e ?? ''))}`);
        }
      } else {
        pos++;
      }
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_NESTING) fail(`nested more than ${MAX_NESTING} levels deep`);
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      ws();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail(`${describe()}, expected a double-quoted property name`);
        string();
        ws();
        if (text[pos] !== ':') fail(`${describe()}, expected ':' after the property name`);
        pos++;
        value(depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail(`${describe()}, expected ',' or '}' after a property value`);
      }
    } else if (c === '[') {
      pos++;
      ws();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail(`${describe()}, expected ',' or ']' after an array element`);
      }
    } else if (c === '"') {
      string();
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      number();
    } else if (c === 't') {
      literal('true');
    } else if (c === 'f') {
      literal('false');
    } else if (c === 'n') {
      literal('null');
    } else {
      fail(`${describe()}, expected a value`);
    }
  };
  try {
    value(0);
    ws();
    if (pos < text.length) fail(`${describe()} after the end of the JSON value`);
    return null;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'offset' in e && 'reason' in e) return e as JsonErrorLocation;
    throw e;
  }
}
