import { ML5_CLASSICS_PINS } from './ml5-classics-pins.js';
import type { StylePack } from './style-pack-schema.js';

/** Folder name -> what the library calls the model (the painting each was trained on). */
const MODEL_NAMES: ReadonlyArray<readonly [folder: string, name: string]> = [
  ['la_muse', 'La Muse'],
  ['rain_princess', 'Rain Princess'],
  ['scream', 'The Scream'],
  ['udnie', 'Udnie'],
  ['wave', 'The Great Wave'],
  ['wreck', 'The Shipwreck of the Minotaur'],
];

/**
 * The six styles ml5.js has always shipped, from their public home (ml5js/ml5-data-and-models on
 * GitHub). Sizes and hashes are pinned by `scripts/pin-ml5-classics.mjs`.
 */
export const ML5_CLASSICS: StylePack = {
  id: 'ml5-classics',
  name: 'ml5 classics',
  description:
    'The six styles ml5.js ships: La Muse (Picasso), Rain Princess (Afremov), The Scream (Munch), ' +
    'Udnie (Picabia), The Great Wave (Hokusai) and The Shipwreck of the Minotaur (Turner).',
  licence: {
    name: 'Free for research use only (fast-style-transfer, Logan Engstrom)',
    url: 'https://github.com/lengstrom/fast-style-transfer#license',
    notice:
      "These six models are ml5.js's conversions of Logan Engstrom's fast-style-transfer checkpoints. " +
      'Their licence: "Copyright (c) 2016 Logan Engstrom. Contact me for commercial use (or rather any ' +
      "use that is not academic research) (email: engstrom at my university's domain dot edu). Free for " +
      'research use, as long as proper attribution is given and this copyright notice is retained."\n' +
      'So: free for research use only, not for commercial use. The ml5-data-and-models repository ' +
      "they are downloaded from is MIT-licensed, but that does not change the models' own terms.",
  },
  baseUrl: 'https://raw.githubusercontent.com/ml5js/ml5-data-and-models/main/models/style-transfer/',
  models: MODEL_NAMES.map(([folder, name]) => ({
    folder,
    name,
    files: [...(ML5_CLASSICS_PINS[folder] ?? [])],
  })),
};
