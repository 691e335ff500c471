/**
 * Type names of plugin nodes a Maya binary file stores only by their 32-bit
 * type id (the group's form, big-endian). Render Setup is a plugin whose
 * nodes hold the layers and overrides the analysis reads; Autodesk reserves
 * it the ids 0x58000370–0x580003FF and assigns them in Maya's
 * `maya.app.renderSetup.model.typeIDs` module (the values below are those
 * published there; the later ones, 0x580003A2–0x580003A4, as Maya reports them
 * for its node types). Abstract base types (override, selector, listItem…)
 * never occur in a file and are left out.
 */
export const PLUGIN_NODE_TYPES: ReadonlyMap<number, string> = new Map([
  [0x58000371, 'renderSetup'],
  [0x58000372, 'renderSetupLayer'],
  [0x58000373, 'collection'],
  [0x58000375, 'basicSelector'],
  [0x58000378, 'absOverride'],
  [0x5800037a, 'relOverride'],
  [0x5800037d, 'applyAbsFloatOverride'],
  [0x5800037f, 'applyRelFloatOverride'],
  [0x58000381, 'applyAbs3FloatsOverride'],
  [0x58000383, 'applyRel3FloatsOverride'],
  [0x58000384, 'applyConnectionOverride'],
  [0x58000385, 'connectionOverride'],
  [0x58000386, 'shaderOverride'],
  [0x58000387, 'materialOverride'],
  [0x5800038a, 'applyAbsBoolOverride'],
  [0x5800038c, 'applyAbsEnumOverride'],
  [0x58000391, 'applyAbsIntOverride'],
  [0x58000392, 'applyRelIntOverride'],
  [0x58000393, 'applyAbsStringOverride'],
  [0x58000394, 'lightsCollection'],
  [0x58000395, 'renderSettingsCollection'],
  [0x58000397, 'applyAbs2FloatsOverride'],
  [0x58000399, 'applyRel2FloatsOverride'],
  [0x5800039a, 'lightsChildCollection'],
  [0x5800039b, 'aovCollection'],
  [0x5800039c, 'aovChildCollection'],
  [0x5800039e, 'simpleSelector'],
  [0x5800039f, 'arnoldAOVChildSelector'],
  [0x580003a0, 'absUniqueOverride'],
  [0x580003a1, 'relUniqueOverride'],
  [0x580003a2, 'connectionUniqueOverride'],
  [0x580003a3, 'renderSettingsChildCollection'],
  [0x580003a4, 'lightsCollectionSelector'],
]);

/** The type name of a plugin node whose group form is `form` (4 latin1 characters), or undefined. */
export function pluginNodeType(form: string): string | undefined {
  if (form.length !== 4) return undefined;
  let id = 0;
  for (let i = 0; i < 4; i++) id = id * 256 + (form.charCodeAt(i) & 0xff);
  return PLUGIN_NODE_TYPES.get(id);
}
