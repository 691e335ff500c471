import { attrText, type MayaDocument } from './maya-document.js';

/**
 * The timeline Maya stores as a `playbackOptions` call in
 * sceneConfigurationScriptNode — read as text, never run. An imported
 * scene's copy (`<prefix>_sceneConfigurationScriptNode`) stands in when the
 * scene has none of its own.
 */
export function readTimeline(
  doc: MayaDocument,
): { min: number; max: number; animationStart?: number; animationEnd?: number } | undefined {
  const node =
    doc.nodes.get('sceneConfigurationScriptNode') ??
    doc.nodeOrder.find((n) => n.type === 'script' && n.name.endsWith('sceneConfigurationScriptNode'));
  const script = attrText(node, 'b', 'before');
  if (script === undefined) return undefined;
  const flag = (name: string): number | undefined => {
    const m = new RegExp(`-${name}\\s+(-?[\\d.]+)`).exec(script);
    const n = m === null ? Number.NaN : Number(m[1]);
    return Number.isFinite(n) ? n : undefined;
  };
  const min = flag('min');
  const max = flag('max');
  if (min === undefined || max === undefined) return undefined;
  const ast = flag('ast');
  const aet = flag('aet');
  return {
    min,
    max,
    ...(ast === undefined ? {} : { animationStart: ast }),
    ...(aet === undefined ? {} : { animationEnd: aet }),
  };
}
