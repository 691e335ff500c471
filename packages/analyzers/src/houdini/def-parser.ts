/**
 * Parser for `.def` sections: node flags (`flags = lock off … bypass off
 * display on render off …`) and wired inputs (`inputs { <index> <source> … }`),
 * which form the ROP dependency graph of merge/fetch networks.
 */
export interface NodeDefinition {
  flags: Map<string, boolean>;
  /** Names of the sibling nodes wired into this node's inputs, in input order. */
  inputs: string[];
}

export function parseDefinition(text: string): NodeDefinition {
  const flags = new Map<string, boolean>();
  const inputs: { index: number; source: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('flags =')) {
      const words = line.slice('flags ='.length).trim().split(/\s+/);
      for (let w = 0; w + 1 < words.length; w += 2) flags.set(words[w]!, words[w + 1] === 'on');
    } else if (line === 'inputs' && lines[i + 1]?.trim() === '{') {
      for (i += 2; i < lines.length && lines[i]!.trim() !== '}'; i++) {
        const [index, source] = lines[i]!.trim().split(/\s+/);
        const n = Number(index);
        if (source !== undefined && Number.isInteger(n)) inputs.push({ index: n, source });
      }
    }
  }
  inputs.sort((a, b) => a.index - b.index);
  return { flags, inputs: inputs.map((x) => x.source) };
}

/** `.init`: `type = <optype>` (with namespace and version, e.g. `filecache::2.0`). */
export function parseInitType(text: string): string | undefined {
  const m = /^type\s*=\s*(\S+)/m.exec(text);
  return m?.[1];
}
