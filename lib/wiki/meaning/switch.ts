/**
 * @module
 * The meaning layer's on/off switch (`MEANING_LAYER`, lib/config.ts; set by `createApp`). Off, writes store no
 * vectors, the catalog loads none, and search ranks by terms only: the baseline the cost benchmark compares with.
 * One process-wide setting, since the word file and the catalogs are process-wide too.
 */

let enabled = true;

/** Turns the meaning layer on or off for this process. */
export function setMeaningLayer(on: boolean): void {
  enabled = on;
}

/** True when the meaning layer is on (the default). */
export function meaningLayerOn(): boolean {
  return enabled;
}
