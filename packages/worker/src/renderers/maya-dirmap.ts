/**
 * The pre-render MEL that points a Maya scene's own paths at the staged tree.
 * Maya's documented mechanism is `dirmap` (map a directory to another one;
 * both absolute, forward slashes, case-sensitive). Mappings only change paths
 * Maya resolves after they are set, and `Render -preRender` runs after the
 * scene is open, so the script also rewrites what is already loaded: every
 * `file` node's `fileTextureName` and every reference, each through
 * `dirmap -convertDirectory` so the rule is Maya's own.
 */
import type { PathMapEntry } from './path-map.js';

/** A MEL string literal. */
export function melString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function dirmapMel(maps: readonly PathMapEntry[]): string {
  const lines = [
    '// Directories of the machine the scene was saved on -> the staged tree on this node.',
    'dirmap -enable true;',
    ...maps.map((m) => `dirmap -mapDirectory ${melString(m.from)} ${melString(m.to)};`),
    'global proc string openfarmMapped(string $p) {',
    '    string $s = substituteAllString($p, "\\\\", "/");',
    '    return `dirmap -convertDirectory $s`;',
    '}',
    'string $openfarmNode;',
    'for ($openfarmNode in `ls -type file`) {',
    '    string $old = `getAttr ($openfarmNode + ".fileTextureName")`;',
    '    string $new = openfarmMapped($old);',
    '    if ($new != $old) {',
    '        setAttr -type "string" ($openfarmNode + ".fileTextureName") $new;',
    '        print ("OPENFARM remap " + $openfarmNode + " " + $old + " -> " + $new + "\\n");',
    '    }',
    '}',
    'for ($openfarmNode in `ls -type reference`) {',
    '    if (`referenceQuery -isNodeReferenced $openfarmNode` || $openfarmNode == "sharedReferenceNode") continue;',
    '    string $old = `referenceQuery -filename -unresolvedName $openfarmNode`;',
    '    string $new = openfarmMapped($old);',
    '    if ($new != $old) {',
    '        file -loadReference $openfarmNode $new;',
    '        print ("OPENFARM remap " + $openfarmNode + " " + $old + " -> " + $new + "\\n");',
    '    }',
    '}',
    '',
  ];
  return lines.join('\n');
}
