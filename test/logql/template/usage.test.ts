import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../src/logql/template/index.js';

describe('fieldsUsed lists the labels a template reads', () => {
  const cases: [string, string[] | undefined][] = [
    ['{{.foo}} and {{.bar}}', ['foo', 'bar']],
    ['{{ .foo | ToUpper | .buzz }} and {{.bar}}', ['foo', 'buzz', 'bar']],
    ['{{ regexReplaceAllLiteral "(p)" .foo "${1}" }}', ['foo']],
    ['{{ if  .foo | hasSuffix "Ip" }} {{.bar}} {{end}}-{{ if  .foo | hasSuffix "pw"}}no{{end}}', ['foo', 'bar']],
    ['{{with .foo}}{{printf "%q" .}} {{end}}', ['foo']],
    ['{{with .foo}}{{printf "%q" .}} {{else}} {{ .buzz | lower }} {{end}}', ['foo', 'buzz']],
    ['{{ range $x := fromJson .j }}{{ . }}{{ end }}', ['j']],
    ['{{ printf "%s" (.a | upper) }}{{ $.b }}', ['a', 'b']],
    ['{{ define "T" }}{{ .inner }}{{ end }}{{ template "T" .outer }}', ['inner', 'outer']],
    ['no actions', []],
    ['{{ . }}', undefined],
    ['{{ range . }}{{ end }}', undefined],
    ['{{ range $k, $v := . }}{{ $k }}{{ end }}', undefined],
    ['{{ $ }}', undefined],
    ['{{ with . }}{{ .a }}{{ end }}', undefined],
    ['{{ template "T" . }}{{ define "T" }}{{ .a }}{{ end }}', undefined],
    ['{{ index . "a" }}', undefined],
  ];
  for (const [source, fields] of cases) {
    it(`for ${JSON.stringify(source)}`, () => {
      expect(compileTemplate(source).fieldsUsed).toEqual(fields);
    });
  }
});

describe('usesLine tells whether the line must be available', () => {
  it('is true only when __line__ is called anywhere', () => {
    expect(compileTemplate('{{ __line__ }}').usesLine).toBe(true);
    expect(compileTemplate('{{ if .a }}{{ __line__ | count "x" }}{{ end }}').usesLine).toBe(true);
    expect(compileTemplate('{{ define "T" }}{{ __line__ }}{{ end }}x').usesLine).toBe(true);
    expect(compileTemplate('{{ .a }} {{ __timestamp__ }}').usesLine).toBe(false);
  });
});
