// A reader for the YAML subset deploy/docker-compose.yml is written in (no YAML library is a
// dependency): block mappings by indentation, scalars bare or double-quoted, and flow values
// that are valid JSON (["a", "b"], {}). Anything else is an error, so the file stays in it.

/** YamlValue is what the subset yields. */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly key: string;
  readonly rest: string;
  readonly no: number;
}

function scalar(text: string, no: number): YamlValue {
  if (text.startsWith('"') || text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text) as YamlValue;
    } catch {
      throw new Error(`line ${no}: ${text} is not JSON-compatible`);
    }
  }
  return text;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    const m = /^( *)([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(raw);
    if (m === null) throw new Error(`line ${i + 1}: outside the supported YAML subset: ${raw}`);
    out.push({ indent: (m[1] ?? '').length, key: m[2] ?? '', rest: (m[3] ?? '').trim(), no: i + 1 });
  });
  return out;
}

function block(all: Line[], start: number, indent: number): [Record<string, YamlValue>, number] {
  const map: Record<string, YamlValue> = {};
  let i = start;
  while (i < all.length && (all[i] as Line).indent === indent) {
    const line = all[i] as Line;
    if (line.rest !== '') {
      map[line.key] = scalar(line.rest, line.no);
      i += 1;
    } else {
      const child = all[i + 1];
      if (child === undefined || child.indent <= indent) throw new Error(`line ${line.no}: ${line.key} has no value`);
      const [value, next] = block(all, i + 1, child.indent);
      map[line.key] = value;
      i = next;
    }
  }
  if (i < all.length && (all[i] as Line).indent > indent) throw new Error(`line ${(all[i] as Line).no}: bad indentation`);
  return [map, i];
}

/** parseComposeYaml parses the subset; throws naming the first line outside it. */
export function parseComposeYaml(text: string): Record<string, YamlValue> {
  const all = lines(text);
  const [map, next] = block(all, 0, 0);
  if (next !== all.length) throw new Error(`line ${(all[next] as Line).no}: bad indentation`);
  return map;
}
