/**
 * `npm run demo`: start a farm on this machine and render the sample scene.
 * The render path (worker, scheduler, `openfarm up`) is not in place yet, so
 * this says what the demo will do and exits non-zero rather than pretend.
 */
const steps = [
  'generate the sample scene: an animated .blend with a relative and an absolute texture',
  'start `openfarm up` in the background: the API server and 2 local render nodes',
  'analyze, check, upload and submit the sample scene (8 frames, small size)',
  'download each frame to ./demo-output/ as soon as it is rendered',
  "print where the frames are and the farm's URL, and leave the farm running",
];
console.error('openfarm demo — what it will do:');
for (const [i, s] of steps.entries()) console.error(`  ${i + 1}. ${s}`);
console.error('\nThe render nodes and scheduler are not built yet, so the demo cannot run on this version.');
process.exit(2);
