/**
 * What a report calls the run's samples: "digits" for the built-in MNIST (and its saccade
 * events), "samples" for any other data set (Fashion-MNIST's clothes, an IDX folder, event
 * recordings), so that a report never calls a shirt a digit.
 */
export function samplesNoun(data: unknown): string {
  return data === undefined || data === 'mnist' || data === 'mnist-events' ? 'digits' : 'samples';
}
