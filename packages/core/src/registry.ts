import { injectable, multiInject, optional } from 'inversify';
import { closest } from 'fastest-levenshtein';
import { Modality } from './modality.js';
import { EncoderFactory } from './encoder-factory.js';
import { Baseline } from './baseline.js';
import { Objective } from './train/objective.js';
import { ConfigError, PluginError } from './errors.js';

/** All modalities, encoders, baselines and objectives of core and the loaded plugins, looked up by id. */
export const ModalityRegistry = Symbol.for('fewshot.ModalityRegistry');
export interface ModalityRegistry {
  readonly modalities: readonly Modality[];
  readonly encoders: readonly EncoderFactory[];
  readonly baselines: readonly Baseline[];
  /** Training objectives (`train.objective`): core's `pairs`, `triplet`, `prototypes` and the plugins'. */
  readonly objectives: readonly Objective[];
  modality(id: string): Modality;
  encoder(id: string): EncoderFactory;
  /** A baseline by id (core's `pixel` or a plugin's). */
  baseline(id: string): Baseline;
  objective(id: string): Objective;
}

@injectable()
export class DefaultModalityRegistry implements ModalityRegistry {
  readonly modalities: readonly Modality[];
  readonly encoders: readonly EncoderFactory[];
  readonly baselines: readonly Baseline[];
  readonly objectives: readonly Objective[];

  constructor(
    @multiInject(Modality) @optional() modalities: Modality[] | undefined,
    @multiInject(EncoderFactory) @optional() encoders: EncoderFactory[] | undefined,
    @multiInject(Baseline) @optional() baselines: Baseline[] | undefined,
    @multiInject(Objective) @optional() objectives: Objective[] | undefined,
  ) {
    this.modalities = modalities ?? [];
    this.encoders = encoders ?? [];
    this.baselines = baselines ?? [];
    this.objectives = objectives ?? [];
    const kinds = [
      ['modality', this.modalities],
      ['encoder', this.encoders],
      ['baseline', this.baselines],
      ['objective', this.objectives],
    ] as const;
    for (const [kind, list] of kinds) {
      const seen = new Set<string>();
      for (const item of list) {
        if (seen.has(item.id))
          throw new PluginError(`two plugins (or a plugin and core) provide the ${kind} '${item.id}'`, {
            hints: ['give one of them another id, or load only one of the plugins'],
          });
        seen.add(item.id);
      }
    }
  }

  modality(id: string): Modality {
    const found = this.modalities.find((m) => m.id === id);
    if (found) return found;
    throw new ConfigError(`no loaded plugin provides the modality '${id}'`, {
      hints: hintsFor(
        id,
        this.modalities.map((m) => m.id),
        'modalities',
        "add the plugin that provides it to the experiment's `plugins:` list",
      ),
    });
  }

  baseline(id: string): Baseline {
    const found = this.baselines.find((b) => b.id === id);
    if (found) return found;
    throw new ConfigError(`no loaded plugin provides the baseline '${id}'`, {
      hints: hintsFor(
        id,
        this.baselines.map((b) => b.id),
        'baselines',
        'see `fewshot plugins` for what is loaded',
      ),
    });
  }

  objective(id: string): Objective {
    const found = this.objectives.find((o) => o.id === id);
    if (found) return found;
    throw new ConfigError(`no loaded plugin provides the objective '${id}'`, {
      hints: hintsFor(
        id,
        this.objectives.map((o) => o.id),
        'objectives',
        'see `fewshot plugins` for what is loaded',
      ),
    });
  }

  encoder(id: string): EncoderFactory {
    const found = this.encoders.find((e) => e.id === id);
    if (found) return found;
    throw new ConfigError(`no loaded plugin provides the encoder '${id}'`, {
      hints: hintsFor(
        id,
        this.encoders.map((e) => e.id),
        'encoders',
        'see `fewshot plugins` for what is loaded',
      ),
    });
  }
}

function hintsFor(id: string, known: string[], what: string, advice: string): string[] {
  const hints: string[] = [];
  if (known.length > 0) {
    const guess = closest(id, known);
    hints.push(`did you mean '${guess}'? loaded ${what}: ${known.join(', ')}`);
  } else {
    hints.push(`no ${what} are loaded`);
  }
  hints.push(advice);
  return hints;
}
