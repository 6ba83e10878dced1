import { StreamProgress, classify, evaluate, trainExperiment } from '@fewshot/core';

// train: what `fewshot train config/quickstart.yaml --out runs/quick --set train.epochs=3` does
const trained = await trainExperiment('config/quickstart.yaml', {
  out: 'runs/quick',
  overrides: ['train.epochs=3'],
  progress: new StreamProgress(), // bars and messages on stderr; leave it out for silence
  onEpoch: (e) => console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, validation ${e.valAccuracy ?? '-'}`),
});
console.log(`best epoch ${trained.bestEpoch}, saved to ${trained.model}; test accuracy ${trained.eval?.accuracy}`);

// evaluate: the shipped model on 1,000 random 5-way 1-shot episodes (or `runs: DIR` for Lake's trials)
const report = await evaluate({
  model: 'models/omniglot',
  experiment: 'config/omniglot.yaml',
  overrides: ['eval.ways=5'],
});
console.log(
  `${report.ways}-way ${report.shots}-shot: ${(100 * report.accuracy).toFixed(1)}% ± ${(100 * report.ci95).toFixed(1)}%`,
);

// classify: files against a support folder (one sub-folder per class)
const { results } = await classify({
  model: 'models/omniglot',
  support: 'my-support',
  files: ['query1.png', 'query2.png'],
});
for (const r of results) console.log(`${r.file}: ${r.label}`, r.ranking);
