/**
 * The render engine a given Blender version will actually use for a stored
 * engine name: Blender versions the setting on load, so the farm must report
 * what the chosen version renders with (while keeping the stored value).
 * - 2.80 removed Blender Internal and the Game Engine → EEVEE;
 * - 4.2 – 4.x call EEVEE `BLENDER_EEVEE_NEXT`; 5.0 named it back `BLENDER_EEVEE`.
 */
export function effectiveEngine(stored: string, blenderVersion: string): string {
  const [major = 0, minor = 0] = blenderVersion.split('.').map((n) => Number.parseInt(n, 10));
  const v = major * 100 + minor;
  let engine = stored;
  if (v >= 280 && (engine === 'BLENDER_RENDER' || engine === 'BLENDER_GAME')) engine = 'BLENDER_EEVEE';
  if (v >= 402 && v < 500 && engine === 'BLENDER_EEVEE') engine = 'BLENDER_EEVEE_NEXT';
  if ((v < 402 || v >= 500) && engine === 'BLENDER_EEVEE_NEXT') engine = 'BLENDER_EEVEE';
  return engine;
}
