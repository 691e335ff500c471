import { AnalyzeError } from '../core/errors.js';
import { COMMON_EXTENSION_KINDS, kindOfExtension } from '../core/extension-kinds.js';
import type { DependencyReader, NestedRef } from './dependency-reader.js';
import { readText } from './text-file.js';

/** Elements nested deeper than this are refused. */
const MAX_DEPTH = 512;

/**
 * MaterialX documents (`.mtlx`): `filename`-typed inputs and parameters
 * (`<input name="file" type="filename" value="wood.<UDIM>.tx"/>`) with the
 * nearest `fileprefix` (on the element or an ancestor) prepended, as
 * MaterialX resolves them, and `xi:include href` documents (followed like any other
 * `.mtlx`). Relative paths are anchored to the document's folder. A
 * tokenizer over tags, not a validating XML parser: comments, CDATA,
 * processing instructions and the doctype are skipped; entities are decoded.
 */
export function readMtlxDependencies(text: string, file?: string): NestedRef[] {
  const refs: NestedRef[] = [];
  const stack: { tag: string; prefix: string; name: string }[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const open = text.indexOf('<', i);
    if (open < 0) break;
    if (text.startsWith('<!--', open)) {
      i = endOf(text, '-->', open, file);
      continue;
    }
    if (text.startsWith('<![CDATA[', open)) {
      i = endOf(text, ']]>', open, file);
      continue;
    }
    if (text.startsWith('<?', open) || text.startsWith('<!', open)) {
      i = endOf(text, '>', open, file);
      continue;
    }
    const close = tagEnd(text, open, file);
    const body = text.slice(open + 1, close);
    i = close + 1;
    if (body.startsWith('/')) {
      const tag = body.slice(1).trim();
      const top = stack.pop();
      if (top === undefined || top.tag !== tag)
        throw new AnalyzeError('CORRUPT', `unbalanced </${tag}>`, file);
      continue;
    }
    const selfClosing = body.endsWith('/');
    const m = /^([^\s/>]+)/.exec(body);
    if (m === null) throw new AnalyzeError('CORRUPT', `bad tag at ${open}`, file);
    const tag = m[1]!;
    const attrs = attributes(body.slice(tag.length, selfClosing ? -1 : undefined));
    const parentPrefix = stack.at(-1)?.prefix ?? '';
    const prefix = attrs.get('fileprefix') ?? parentPrefix;
    const name = attrs.get('name') ?? '';
    const owner = [...stack.map((s) => s.name).filter((s) => s !== ''), name]
      .filter((s) => s !== '')
      .join('/');
    if (tag === 'xi:include') {
      const href = attrs.get('href');
      if (href) refs.push({ path: href, owner: `xi:include ${owner}`.trim(), kind: 'materialx' });
    } else if (attrs.get('type') === 'filename') {
      const value = attrs.get('value');
      if (value) {
        const path = isAbsoluteish(value) ? value : prefix + value;
        refs.push({ path, owner: `<${tag}> ${owner}`, kind: kindOfExtension(path, COMMON_EXTENSION_KINDS) });
      }
    }
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH)
        throw new AnalyzeError('LIMIT_EXCEEDED', 'elements nested too deep', file);
      stack.push({ tag, prefix, name });
    }
  }
  if (stack.length > 0) throw new AnalyzeError('TRUNCATED', `<${stack.at(-1)!.tag}> not closed`, file);
  return refs;
}

function isAbsoluteish(p: string): boolean {
  return /^(?:[A-Za-z]:[\\/]|[\\/])/.test(p);
}

function endOf(text: string, marker: string, from: number, file?: string): number {
  const end = text.indexOf(marker, from);
  if (end < 0) throw new AnalyzeError('TRUNCATED', `unclosed markup at ${from}`, file);
  return end + marker.length;
}

/** The `>` ending a tag, skipping quoted attribute values. */
function tagEnd(text: string, open: number, file?: string): number {
  let quote = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new AnalyzeError('TRUNCATED', `unclosed tag at ${open}`, file);
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out.set(m[1]!, decodeEntities(m[2] ?? m[3] ?? ''));
  }
  return out;
}

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export const mtlxDependencyReader: DependencyReader = {
  format: 'MaterialX',
  read(file) {
    return readMtlxDependencies(readText(file), file);
  },
};
