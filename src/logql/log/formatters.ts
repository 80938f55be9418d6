// The `| line_format` and `| label_format` stages on top of the Go template engine. A failed template
// execution keeps the line/labels and sets __error__="TemplateFormatErr". No I/O.
import type { LabelFmt } from '../ast.js';
import { compileTemplate, type CompiledTemplate, type TemplateContext } from '../template/index.js';
import { ERR_TEMPLATE_FORMAT, ERROR_DETAILS_LABEL, ERROR_LABEL, PipelineBuildError } from './errors.js';
import { Category, type LabelsBuilder } from './labels-builder.js';
import type { Stage } from './stage.js';

type LabelView = ReadonlyArray<{ name: string; value: string }>;

/** The template data of one entry: every label, including the error labels (Loki's lbs.Map()). */
class EntryContext implements TemplateContext {
  line = '';
  ts = 0n;
  private lbs!: LabelsBuilder;
  private snapshot: LabelView | undefined;

  reset(lbs: LabelsBuilder, line: string, ts: bigint, snapshot?: LabelView): void {
    this.lbs = lbs;
    this.line = line;
    this.ts = ts;
    this.snapshot = snapshot;
  }

  label(name: string): string | undefined {
    if (this.snapshot) return this.snapshot.find((l) => l.name === name)?.value;
    if (name === ERROR_LABEL) return this.lbs.getErr() || this.lbs.get(name);
    if (name === ERROR_DETAILS_LABEL) return this.lbs.getErrDetails() || this.lbs.get(name);
    return this.lbs.get(name);
  }

  labels(): LabelView {
    return this.snapshot ?? this.lbs.labelList();
  }
}

function compile(source: string, name: 'line' | 'label', error: (msg: string) => string): CompiledTemplate {
  try {
    return compileTemplate(source, name);
  } catch (e) {
    throw new PipelineBuildError(error((e as Error).message));
  }
}

/** `{{.name}}` alone: Loki copies the label value without running the template. */
const SIMPLE_KEY = /^\{\{(?:-\s)?\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:\s-)?\}\}$/;

export class LineFormatStage implements Stage {
  readonly readsTimestamp = true;
  private readonly template: CompiledTemplate;
  private readonly simpleKey: string | undefined;
  private readonly ctx = new EntryContext();

  constructor(source: string) {
    this.template = compile(source, 'line', (m) => `invalid line template: ${m}`);
    this.simpleKey = SIMPLE_KEY.exec(source)?.[1];
  }

  requiredLabels(): readonly string[] | undefined {
    return this.template.fieldsUsed;
  }

  process(ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    if (this.simpleKey !== undefined) return lbs.get(this.simpleKey) ?? '';
    this.ctx.reset(lbs, line, ts);
    try {
      return this.template.execute(this.ctx);
    } catch (e) {
      lbs.setErr(ERR_TEMPLATE_FORMAT, (e as Error).message);
      return line;
    }
  }
}

interface LabelFormatter {
  dst: string;
  rename?: string;
  template?: CompiledTemplate;
}

export class LabelFormatStage implements Stage {
  readonly readsTimestamp = true;
  private readonly formats: LabelFormatter[];
  private readonly ctx = new EntryContext();

  constructor(formats: readonly LabelFmt[]) {
    const seen = new Set<string>();
    for (const f of formats) {
      if (f.dst === ERROR_LABEL) throw new PipelineBuildError(`${ERROR_LABEL} cannot be formatted`);
      if (seen.has(f.dst)) throw new PipelineBuildError(`multiple label name '${f.dst}' not allowed in a single format operation`);
      seen.add(f.dst);
    }
    this.formats = formats.map((f) =>
      'rename' in f
        ? { dst: f.dst, rename: f.rename }
        : { dst: f.dst, template: compile(f.template, 'label', (m) => `invalid template for label '${f.dst}': ${m}`) },
    );
  }

  /** Renamed labels and template fields; undefined when a template may read any label. */
  requiredLabels(): readonly string[] | undefined {
    const names: string[] = [];
    for (const f of this.formats) {
      if (f.rename !== undefined) names.push(f.rename);
      else {
        const fields = f.template!.fieldsUsed;
        if (fields === undefined) return undefined;
        names.push(...fields);
      }
    }
    return names;
  }

  process(ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    // Templates read the labels as they were at the first template of this stage (Loki fills its map once).
    let snapshot: LabelView | undefined;
    for (const f of this.formats) {
      if (f.rename !== undefined) {
        const v = lbs.get(f.rename);
        if (v !== undefined) {
          lbs.set(Category.Parsed, f.dst, v);
          lbs.deleteLabel(f.rename);
        }
        continue;
      }
      if (!snapshot) {
        const now = lbs.labelList().map((l) => ({ name: l.name, value: l.value }));
        if (now.length > 0) snapshot = now;
        this.ctx.reset(lbs, line, ts, now);
      }
      try {
        lbs.set(Category.Parsed, f.dst, f.template!.execute(this.ctx));
      } catch (e) {
        lbs.setErr(ERR_TEMPLATE_FORMAT, (e as Error).message);
      }
    }
    return line;
  }
}
