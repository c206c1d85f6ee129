/**
 * Reads the YAML subset docker-compose.yml is written in — block mappings,
 * block sequences, flow sequences of scalars, plain / "double" / 'single'
 * quoted scalars, comments — so a test can check the compose file and start
 * the commands it names without a YAML dependency. Anything outside the
 * subset (anchors, aliases, block scalars, flow mappings, tabs) is refused
 * with its line, never guessed at. Scalars stay strings.
 */

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i);
  }
  return text;
}

function splitFlow(inner: string, line: number): string[] {
  const items: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") throw new Error(`line ${line}: nested flow collections are not supported`);
    else if (c === ",") {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  if (quote) throw new Error(`line ${line}: unterminated quote`);
  const last = inner.slice(start);
  if (last.trim() !== "" || items.length > 0) items.push(last);
  return items.map((item) => item.trim());
}

function scalar(text: string, line: number): YamlValue {
  const t = text.trim();
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw new Error(`line ${line}: unterminated flow sequence`);
    return splitFlow(t.slice(1, -1), line).map((item) => scalar(item, line) as string);
  }
  if (t.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(t);
      if (typeof value === "string") return value;
    } catch {
      // fall through
    }
    throw new Error(`line ${line}: bad double-quoted scalar ${t}`);
  }
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw new Error(`line ${line}: bad single-quoted scalar ${t}`);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!|>{@`]/.test(t)) throw new Error(`line ${line}: ${JSON.stringify(t[0])} (anchors, aliases, tags, block scalars, flow mappings) is not supported`);
  return t;
}

/** `key: rest` of a mapping line, or undefined when the line is none. */
function keyOf(text: string): { key: string; rest: string } | undefined {
  const match = /^("[^"]*"|'[^']*'|[^\s:"'][^:]*?):(?:\s+(.*))?$/.exec(text);
  if (!match) return undefined;
  const key = match[1].startsWith('"') || match[1].startsWith("'") ? match[1].slice(1, -1) : match[1];
  return { key, rest: match[2] ?? "" };
}

export function parseYaml(source: string): YamlValue {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*\t/.test(raw)) throw new Error(`line ${i + 1}: tabs may not indent YAML`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === "" || text.trim() === "---") return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trimStart(), number: i + 1 });
  });
  let at = 0;

  function block(indent: number): YamlValue {
    const first = lines[at];
    if (first.text.startsWith("- ") || first.text === "-") {
      const list: YamlValue[] = [];
      while (at < lines.length && lines[at].indent === indent && (lines[at].text.startsWith("- ") || lines[at].text === "-")) {
        const line = lines[at];
        const rest = line.text.slice(1).trim();
        at++;
        if (rest === "") list.push(nested(indent, line.number));
        else if (keyOf(rest)) throw new Error(`line ${line.number}: mappings inside sequence items are not supported`);
        else list.push(scalar(rest, line.number));
      }
      return list;
    }
    const map: { [key: string]: YamlValue } = {};
    while (at < lines.length && lines[at].indent === indent) {
      const line = lines[at];
      const entry = keyOf(line.text);
      if (!entry) throw new Error(`line ${line.number}: expected "key: value", got ${JSON.stringify(line.text)}`);
      if (entry.key in map) throw new Error(`line ${line.number}: duplicate key ${JSON.stringify(entry.key)}`);
      at++;
      map[entry.key] = entry.rest === "" ? nested(indent, line.number) : scalar(entry.rest, line.number);
    }
    return map;
  }

  function nested(parentIndent: number, number: number): YamlValue {
    const next = lines[at];
    // A sequence may sit at its key's indentation (compose files often do); anything else must go deeper.
    if (next && (next.indent > parentIndent || (next.indent === parentIndent && next.text.startsWith("-")))) return block(next.indent);
    throw new Error(`line ${number}: a key with no value (empty values are not supported)`);
  }

  if (lines.length === 0) return {};
  const root = block(lines[0].indent);
  if (at < lines.length) throw new Error(`line ${lines[at].number}: unexpected indentation`);
  return root;
}
