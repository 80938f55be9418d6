// The error labels a pipeline attaches to entries (Loki's values) and the build-time error every
// stage throws for a bad query. Never used for per-entry control flow.
import { ValidationError } from '../../model/errors.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';

export const ERR_JSON = 'JSONParserErr';
export const ERR_LOGFMT = 'LogfmtParserErr';
export const ERR_LABEL_FILTER = 'LabelFilterErr';
export const ERR_SAMPLE_EXTRACTION = 'SampleExtractionErr';
export const ERR_TEMPLATE_FORMAT = 'TemplateFormatErr';

/** A query that cannot be compiled into a pipeline (HTTP 400 with Loki's text). */
export class PipelineBuildError extends ValidationError {}
