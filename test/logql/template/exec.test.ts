import { describe, expect, it } from 'vitest';
import { TemplateExecError, compileTemplate } from '../../../src/logql/template/index.js';
import { entryContext, render, renderError } from './entry-context.js';

const labels = { a: '1', b: 'x', hello: 'hello', u: 'héllo', j: '{"x":{"y":[1,"z",null]},"k":true,"n":null}' };

describe('fields, dot and variables', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['foo{{.foo}}buzz{{  .bar  }}', { foo: 'blip', bar: 'blop' }, 'fooblipbuzzblop'],
    ['foo {{.foo}}buzz{{  .bar  }}', { bar: 'blop' }, 'foo buzzblop'],
    ['{{.missing}}|{{ .missing | printf "%q" }}', {}, '|""'],
    ['{{.}}', { b: '2', a: '1' }, 'map[a:1 b:2]'],
    ['{{$}}|{{$.a}}', { a: '1' }, 'map[a:1]|1'],
    ['{{ $x := .a }}{{ $x }}{{ $x }}', { a: 'v' }, 'vv'],
    ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', {}, '2'],
    ['{{$x := 1}}{{with $x := 2}}{{$x}}{{end}}{{$x}}', {}, '21'],
    ['{{ .a | printf "%s-%s" "x" }}', { a: '1' }, 'x-1'],
    ['{{ printf "%s|%s" (.a | ToUpper) ("B" | ToLower) }}', { a: 'a' }, 'A|b'],
    ['{{ (fromJson .j).x.y }}', labels, '[1 z <nil>]'],
    ['{{ ((fromJson .j).x).y }}', labels, '[1 z <nil>]'],
    ['{{ (fromJson .j).n }}|{{ (fromJson .j).missing }}', labels, '<no value>|<no value>'],
    ['{{ fromJson "not json" }}', {}, '<no value>'],
  ];
  for (const [source, ls, out] of cases) {
    it(`renders ${source}`, () => {
      expect(render(source, ls)).toBe(out);
    });
  }
});

describe('if, with and truthiness', () => {
  const truth: [string, boolean][] = [
    ['""', false],
    ['"0"', true],
    ['0', false],
    ['1', true],
    ['0.0', false],
    ['0.5', true],
    ['true', true],
    ['false', false],
    ['.missing', false],
    ['.a', true],
    ['(fromJson "{}")', false],
    ['(fromJson "[0]")', true],
    ['.', true],
    ['(fromJson "null")', false],
  ];
  for (const [expr, want] of truth) {
    it(`treats ${expr} as ${want}`, () => {
      expect(render(`{{if ${expr}}}T{{else}}F{{end}}`, { a: 'x' })).toBe(want ? 'T' : 'F');
    });
  }

  it('follows else-if chains', () => {
    const t = compileTemplate('{{if eq .a "1"}}one{{else if eq .a "2"}}two{{else}}other{{end}}');
    expect(['1', '2', '3'].map((a) => t.execute(entryContext({ a })))).toEqual(['one', 'two', 'other']);
  });

  it('sets dot in with and falls back to else', () => {
    expect(render('{{with .a}}<{{.}}>{{else}}none{{end}}', { a: 'v' })).toBe('<v>');
    expect(render('{{with .missing}}<{{.}}>{{else}}none{{end}}')).toBe('none');
    expect(render('{{with $v := .a}}{{$v}}{{end}}', { a: 'v' })).toBe('v');
    expect(render('{{with 0}}{{.}}{{else with .a}}[{{.}}]{{end}}', { a: 'v' })).toBe('[v]');
  });

  it('evaluates and/or with short-circuit and returns the deciding operand', () => {
    expect(render('{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}')).toBe('false 0 0 1');
    expect(render('{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}')).toBe('0 1 true 1');
    expect(render('{{or .missing "default"}} {{and .a .b}}', { a: 'A', b: 'B' })).toBe('default B');
    expect(render('{{or 1 (index . 5)}} {{and 0 (index . 5)}}')).toBe('1 0');
    expect(render('{{1 | and 1}} {{0 | or 0}}')).toBe('1 0');
    expect(render('{{not true}} {{not ""}} {{not .a}}', { a: 'x' })).toBe('false true false');
  });
});

describe('range', () => {
  it('ranges over the label map in key order', () => {
    expect(render('{{range $k, $v := .}}{{$k}}={{$v}};{{end}}', { b: '2', a: '1', c: '3' })).toBe('a=1;b=2;c=3;');
    expect(render('{{range .}}[{{.}}]{{end}}', { b: '2', a: '1' })).toBe('[1][2]');
  });

  it('ranges over JSON arrays and objects with index and element variables', () => {
    expect(render('{{range $i, $e := (fromJson .j).x.y}}{{$i}}={{$e}};{{end}}', labels)).toBe('0=1;1=z;2=<no value>;');
    expect(render('{{range $k, $v := fromJson `{"b":2,"a":[1]}`}}{{$k}}:{{$v}} {{end}}')).toBe('a:[1] b:2 ');
    expect(render('{{range $e := fromJson `["p","q"]`}}{{$e}}{{end}}')).toBe('pq');
  });

  it('ranges over an integer like Go 1.22+', () => {
    expect(render('{{range 3}}{{.}}{{end}}|{{range $i := 2}}{{$i}}{{end}}')).toBe('012|01');
  });

  it('runs else for empty collections', () => {
    expect(render('{{range (fromJson "[]")}}x{{else}}empty{{end}}')).toBe('empty');
    expect(render('{{range 0}}x{{else}}zero{{end}}')).toBe('zero');
    expect(render('{{range .}}x{{else}}no labels{{end}}')).toBe('no labels');
    expect(renderError('{{range .missing}}x{{else}}y{{end}}')).toBe('template: line:1:8: executing "line" at <.missing>: range can\'t iterate over ');
  });

  it('supports break and continue', () => {
    const arr = 'fromJson "[1,2,3,4]"';
    expect(render(`{{range $e := ${arr}}}{{if eq $e 3.0}}{{break}}{{end}}{{$e}}{{end}}`)).toBe('12');
    expect(render(`{{range $e := ${arr}}}{{if eq $e 2.0}}{{continue}}{{end}}{{$e}}{{end}}`)).toBe('134');
    expect(render(`{{range ${arr}}}-{{.}}-{{break}}NOT{{else}}EMPTY{{end}}`)).toBe('-1-');
  });

  it('assigns range variables declared outside with =', () => {
    expect(render('{{$k := ""}}{{$v := ""}}{{range $k, $v = .}}{{end}}{{$k}}={{$v}}', { a: '1', b: '2' })).toBe('b=2');
  });
});

describe('builtins', () => {
  const cases: [string, string][] = [
    ['{{ len . }} {{ len .u }} {{ len (fromJson .j).x.y }}', '5 6 3'],
    ['{{ index . "a" }}|{{ index . "nope" }}|{{ index .hello 1 }}', '1||101'],
    ['{{ index (fromJson .j) "x" "y" 1 }}', 'z'],
    ['{{ slice .hello 1 3 }}|{{ slice .hello 2 }}|{{ slice (fromJson .j).x.y 1 }}', 'el|llo|[z <nil>]'],
    ['{{ slice .u 0 2 }}', 'h\ufffd'],
    ['{{ print "a" 1 2 "b" }}|{{ print nil }}', 'a1 2b|<nil>'],
    ['{{ println "a" 1 }}', 'a 1\n'],
    ['{{ html "<a href=\'x\'>&</a>" }}|{{ html nil }}', '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;|&lt;no value&gt;'],
    ['{{ js "a\'b\\"c<d>=&\\n" }}', 'a\\\'b\\"c\\u003Cd\\u003E\\u003D\\u0026\\u000A'],
    ['{{ urlquery "a b&c/é" }}', 'a+b%26c%2F%C3%A9'],
    ['{{ eq .a "1" }} {{ eq .b "y" "x" }} {{ eq 1 1 }} {{ eq 1.5 1.5 }} {{ eq nil nil }}', 'true true true true true'],
    ['{{ ne .a "1" }} {{ lt 1 2 }} {{ lt "a" "b" }} {{ le 2 2 }} {{ gt 2.5 1.5 }} {{ ge "a" "b" }}', 'false true true true true false'],
    ['{{ eq (index .hello 0) 104 }} {{ gt (int .a) 0 }}', 'true true'],
  ];
  for (const [source, out] of cases) {
    it(`renders ${source}`, () => {
      expect(render(source, labels)).toBe(out);
    });
  }
});

describe('execution errors carry Go text/template texts and positions', () => {
  const cases: [string, string][] = [
    ['{{.a.b}}', 'template: line:1:4: executing "line" at <.a.b>: can\'t evaluate field b in type string'],
    ['a\n  {{ .x.y }}', 'template: line:2:7: executing "line" at <.x.y>: can\'t evaluate field y in type string'],
    ['é{{ .a.b }}', 'template: line:1:7: executing "line" at <.a.b>: can\'t evaluate field b in type string'],
    ['{{.foo Replace "foo"}}', 'template: line:1:2: executing "line" at <.foo>: foo is not a method but has arguments'],
    ['{{ nil }}', 'template: line:1:3: executing "line" at <nil>: nil is not a command'],
    ['{{ 1 2 }}', 'template: line:1:3: executing "line" at <1>: can\'t give argument to non-function 1'],
    ['{{.foo | now}}', 'template: line:1:9: executing "line" at <now>: wrong number of args for now: want 0 got 1'],
    ['{{replace "test" .foo}}', 'template: line:1:2: executing "line" at <replace>: wrong number of args for replace: want 3 got 2'],
    ['{{ index }}', 'template: line:1:3: executing "line" at <index>: wrong number of args for index: want at least 1 got 0'],
    ['{{ trunc "x" .a }}', 'template: line:1:9: executing "line" at <"x">: expected integer; found "x"'],
    ['{{ trunc 1.5 .a }}', 'template: line:1:9: executing "line" at <1.5>: expected integer; found 1.5'],
    ['{{ ToUpper 3 }}', 'template: line:1:11: executing "line" at <3>: expected string; found 3'],
    ['{{ ToUpper nil }}', 'template: line:1:11: executing "line" at <nil>: cannot assign nil to string'],
    ['{{ trunc (add 1 1) .a }}', 'template: line:1:16: executing "line" at <1>: wrong type for value; expected int; got int64'],
    ['{{ trunc .a .a }}', 'template: line:1:9: executing "line" at <.a>: wrong type for value; expected int; got string'],
    ['{{ unixEpoch "x" }}', 'template: line:1:13: executing "line" at <"x">: can\'t handle "x" for arg of type time.Time'],
    ['{{ unixEpoch .a }}', 'template: line:1:13: executing "line" at <.a>: wrong type for value; expected time.Time; got string'],
    ['{{ div 1 0 }}', 'template: line:1:3: executing "line" at <div 1 0>: error calling div: runtime error: integer divide by zero'],
    ['{{ eq .a 1 }}', 'template: line:1:3: executing "line" at <eq .a 1>: error calling eq: incompatible types for comparison: string and int'],
    ['{{ lt 1.5 1 }}', 'template: line:1:3: executing "line" at <lt 1.5 1>: error calling lt: incompatible types for comparison: float64 and int'],
    ['{{ lt true false }}', 'template: line:1:3: executing "line" at <lt true false>: error calling lt: invalid type for comparison'],
    ['{{ eq . . }}', 'template: line:1:3: executing "line" at <eq . .>: error calling eq: non-comparable type map[a:1]: map[string]string'],
    ['{{ eq .a }}', 'template: line:1:3: executing "line" at <eq .a>: error calling eq: missing argument for comparison'],
    ['{{ len 3 }}', 'template: line:1:3: executing "line" at <len 3>: error calling len: len of type int'],
    ['{{ index . 1 }}', 'template: line:1:3: executing "line" at <index . 1>: error calling index: value has type int; should be string'],
    ['{{ index nil 1 }}', 'template: line:1:3: executing "line" at <index nil 1>: error calling index: index of untyped nil'],
    ['{{ index .a 5 }}', 'template: line:1:3: executing "line" at <index .a 5>: error calling index: index out of range: 5'],
    ['{{ slice .a 1 0 }}', 'template: line:1:3: executing "line" at <slice .a 1 0>: error calling slice: invalid slice index: 1 > 0'],
    ['{{ call .a }}', 'template: line:1:3: executing "line" at <call .a>: error calling call: non-function .a of type string'],
    ['{{ range .a }}{{ end }}', 'template: line:1:9: executing "line" at <.a>: range can\'t iterate over 1'],
    ['{{ range $i, $e := 3 }}{{ end }}', 'template: line:1:19: executing "line" at <3>: can\'t use 3 to iterate over more than one variable'],
    ['{{ (fromJson "{}").a.b }}', 'template: line:1:13: executing "line" at <"{}">: nil pointer evaluating interface {}.b'],
    ['{{ trunc 2 (fromJson "{}").a }}', 'template: line:1:21: executing "line" at <"{}">: wrong type for value; expected string; got interface {}'],
    ['{{ template "nope" }}', 'template: line:1:12: executing "line" at <{{template "nope"}}>: template "nope" not defined'],
    ['{{define "T"}}{{.a.b}}{{end}}{{template "T" .}}', 'template: line:1:18: executing "T" at <.a.b>: can\'t evaluate field b in type string'],
  ];
  for (const [source, message] of cases) {
    it(`fails ${JSON.stringify(source)}`, () => {
      expect(renderError(source, { a: '1' })).toBe(message);
    });
  }

  it('throws TemplateExecError and names label templates "label"', () => {
    const t = compileTemplate('{{ .a.b }}', 'label');
    expect(() => t.execute(entryContext({ a: '1' }))).toThrow(TemplateExecError);
    expect(() => t.execute(entryContext({ a: '1' }))).toThrow('template: label:1:5: executing "label" at <.a.b>: can\'t evaluate field b in type string');
  });

  it('leaves no state behind after a failed execution', () => {
    const t = compileTemplate('{{ $x := .a }}{{ if .fail }}{{ .a.b }}{{ end }}{{ $x }}');
    expect(() => t.execute(entryContext({ a: '1', fail: 'y' }))).toThrow(TemplateExecError);
    expect(t.execute(entryContext({ a: '2' }))).toBe('2');
  });
});

describe('compiled templates', () => {
  it('execute repeatedly against different entries', () => {
    const t = compileTemplate('{{ .level | upper }} {{ __line__ }} {{ __timestamp__ | unixEpoch }}');
    expect(t.execute(entryContext({ level: 'info' }, 'first', 1_000_000_000n))).toBe('INFO first 1');
    expect(t.execute(entryContext({ level: 'warn' }, 'second', 2_000_000_000n))).toBe('WARN second 2');
  });
});
