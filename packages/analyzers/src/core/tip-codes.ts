import { knownTipCode } from '@openfarm/protocol';

/**
 * tips.json codes used by the analyzers (reference §3.4), taken from
 * @openfarm/protocol's TIP_CODE_TABLE, which the server describes them from
 * (`knownTipCode` throws at load for a code the table lacks). The reference's
 * Maya and Blender analyzers are closed binaries whose missing-file code is
 * not public; openfarm uses 10012 ("missing file / HDRI" in the reference's
 * constants) for both.
 */
export const TIP_CODES = Object.freeze({
  /** The scene's saved version differs from the requested software_version (warning). */
  versionMismatch: knownTipCode(15013),
  /** Maya: a file the scene refers to is missing. */
  mayaMissingFile: knownTipCode(10012),
  /** Blender: a file the scene refers to is missing. */
  blenderMissingFile: knownTipCode(10012),
  /** Houdini: a file referenced by a node is missing. */
  houdiniMissingFile: knownTipCode(50001),
  /** Clarisse: referenced file not found. */
  clarisseMissingFile: knownTipCode(25009),
  /** Blender: output format is a movie container. */
  blenderMovieOutput: knownTipCode(46000),
  /** Blender: frame_step ≠ 1. */
  blenderFrameStep: knownTipCode(46001),
  /** Blender: the scene has no camera. */
  blenderNoCamera: knownTipCode(46003),
});
