import { describe, expect, it } from 'vitest';
import { render, renderError } from './entry-context.js';

type Case = [source: string, labels: Record<string, string>, expected: string];

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [source, labels, expected] of cases) {
      it(`${source} → ${JSON.stringify(expected)}`, () => {
        expect(renderError(source, labels, 'test line', 1656353124120000000n).replace(/^no error: /, '')).toBe(expected);
      });
    }
  });
}

table("Loki's string functions (Go strings argument order)", [
  ['{{ ToLower "ÄbC" }} {{ .a | ToUpper }}', { a: 'straße ǆ' }, 'äbc STRAßE Ǆ'],
  ['foo{{.foo}}buzz{{ Replace .bar "blop" "bar" -1 }}', { foo: 'blip', bar: 'blop' }, 'fooblipbuzzbar'],
  ['{{ Replace "aaaa" "a" "b" 2 }}|{{ Replace "abc" "" "-" -1 }}|{{ Replace "abc" "" "-" 2 }}', {}, 'bbaa|-a-b-c-|-a-bc'],
  ['{{ Trim "xxhixx" "x" }}|{{ TrimLeft "xxhixx" "x" }}|{{ TrimRight "xxhixx" "x" }}', {}, 'hi|hixx|xxhi'],
  ['{{ TrimPrefix "prefix-x" "prefix-" }}|{{ TrimSuffix "x.log" ".log" }}|{{ TrimSpace "\\t hi \\u00a0\\n" }}', {}, 'x|x|hi'],
  ['{{ Trim "¡¡hola!!" "!¡" }}', {}, 'hola'],
]);

table('regexReplaceAll, regexReplaceAllLiteral and count', [
  ['{{ regexReplaceAll "(p)" .foo "t" }}', { foo: 'BLIp' }, 'BLIt'],
  ['{{ regexReplaceAllLiteral "(p)" .foo "${1}" }}', { foo: 'BLIp' }, 'BLI${1}'],
  ['{{ regexReplaceAll `(\\w+)@(\\w+)` .a "${2}:$1" }}', { a: 'joe@site bob@web' }, 'site:joe web:bob'],
  ['{{ regexReplaceAll "(a)" "ab" "$1x" }}', {}, 'b'],
  ['{{ regexReplaceAll "(?P<first>a)" "ab" "[${first}]" }}', {}, '[a]b'],
  ['{{ regexReplaceAll "a" "ab" "$$|$" }}', {}, '$|$b'],
  ['{{ regexReplaceAll "a*" "baaac" "X" }}', {}, 'XbXcX'],
  ['{{ regexReplaceAll "(?i)HELLO" "say hello" "bye" }}', {}, 'say bye'],
  ['{{ regexReplaceAll "é" "café é" "e" }}', {}, 'cafe e'],
  ['{{.foo | count "abc" }}', { foo: 'abc abc abc' }, '3'],
  ['{{.foo | count "a|b|c" }}', { foo: 'abc abc abc' }, '9'],
  ['{{ count "o" "foo" }} {{ count "a|b" "abab" }} {{ count "a*" "baaac" }} {{ count "x" "" }}', {}, '2 4 3 0'],
  ['{{ __line__ | count "test" }}', {}, '1'],
]);

describe('regular expression errors', () => {
  it('reports an invalid expression as a function error', () => {
    expect(renderError('{{ regexReplaceAll "(" "x" "y" }}')).toMatch(/^template: line:1:3: executing "line" at <regexReplaceAll "\(" "x" "y">: error calling regexReplaceAll: /);
    expect(renderError('{{ count "a(" "x" }}')).toMatch(/^template: line:1:3: executing "line" at <count "a\(" "x">: error calling count: /);
  });
});

table('url, base64 and conversions', [
  [
    '{{.foo | urlencode }}',
    { foo: '/loki/api/v1/query?query=sum(count_over_time({stream_filter="some_stream",environment="prod", host=~"someec2.*"}' },
    '%2Floki%2Fapi%2Fv1%2Fquery%3Fquery%3Dsum%28count_over_time%28%7Bstream_filter%3D%22some_stream%22%2Cenvironment%3D%22prod%22%2C+host%3D~%22someec2.%2A%22%7D',
  ],
  ['{{ urlencode "a b/c?d=é&!*~-_." }}', {}, 'a+b%2Fc%3Fd%3D%C3%A9%26%21%2A~-_.'],
  ['{{ urldecode "a+b%2Fc%3Fd%3D%C3%A9" }}', {}, 'a b/c?d=é'],
  ['{{ urldecode "%zz" }}', {}, 'template: line:1:3: executing "line" at <urldecode "%zz">: error calling urldecode: invalid URL escape "%zz"'],
  ['{{ urldecode "a%4" }}', {}, 'template: line:1:3: executing "line" at <urldecode "a%4">: error calling urldecode: invalid URL escape "%4"'],
  ['{{ .foo | b64enc }}', { foo: "i'm a string, encode me!" }, 'aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh'],
  ['{{ .foo | b64dec }}', { foo: 'aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh' }, "i'm a string, encode me!"],
  ['{{ b64enc "é" }}|{{ b64dec "w6k=" }}|{{ b64dec "YWI=" }}|{{ b64dec "YW\\nJj" }}', {}, 'w6k=|é|ab|abc'],
  ['{{ b64dec "abc$" }}|{{ b64dec "YWI" }}|{{ b64dec "YQ==YQ" }}', {}, 'illegal base64 data at input byte 3|illegal base64 data at input byte 0|illegal base64 data at input byte 4'],
  ['{{ .foo | bytes }}|{{ bytes "3MB" }}|{{ bytes "1.5KiB" }}|{{ bytes "1,024 b" }}|{{ bytes "10" }}', { foo: '3 kB' }, '3000|3e+06|1536|1024|10'],
  ['{{ bytes "5 XB" }}', {}, 'template: line:1:3: executing "line" at <bytes "5 XB">: error calling bytes: unhandled size name: xb'],
  ['{{ bytes "KB" }}', {}, 'template: line:1:3: executing "line" at <bytes "KB">: error calling bytes: strconv.ParseFloat: parsing "": invalid syntax'],
  ['{{ .foo | duration }}|{{ duration_seconds "3m10s" }}|{{ duration "1h30m" }}|{{ duration "-1.5s" }}|{{ duration "1µs" }}', { foo: '3ms' }, '0.003|190|5400|-1.5|1e-06'],
  ['{{ duration "1x" }}', {}, 'template: line:1:3: executing "line" at <duration "1x">: error calling duration: time: unknown unit "x" in duration "1x"'],
  ['{{ duration "5" }}', {}, 'template: line:1:3: executing "line" at <duration "5">: error calling duration: time: missing unit in duration "5"'],
  ['{{ duration_seconds "abc" }}', {}, 'template: line:1:3: executing "line" at <duration_seconds "abc">: error calling duration_seconds: time: invalid duration "abc"'],
]);

table('alignLeft and alignRight count runes', [
  ['{{ alignLeft 4 .foo }}|{{ alignRight 4 .foo }}', { foo: 'hello' }, 'hell|ello'],
  ['{{ alignLeft 5 "hi" }}|{{ alignRight 5 "hi" }}', {}, 'hi   |   hi'],
  ['{{ alignLeft 8 .s }}|{{ alignRight 2 .s }}|{{ alignLeft -1 .s }}|{{ alignRight 0 .s }}|', { s: 'Hello, 世界' }, 'Hello, 世|世界|Hello, 世界||'],
  ['[{{ alignLeft 12 .s }}][{{ alignRight 12 .s }}]', { s: 'Hello, 世界' }, '[Hello, 世界   ][   Hello, 世界]'],
]);

table('Sprig string functions (subject last)', [
  ['{{.foo | lower }} {{ .bar  | upper }} {{ "hello wORLD_x y-z" | title }}', { foo: 'BLIp', bar: 'blop' }, 'blip BLOP Hello WORLD_x Y-Z'],
  ['{{.foo | substr 1 3 }} {{ .bar  | trunc 1 }} {{ .bar  | trunc 3 }}', { foo: 'blip', bar: 'blop' }, 'li b blo'],
  ['{{ trunc 5 "hello world" }}|{{ trunc -5 "hello world" }}|{{ trunc 20 "hi" }}|{{ trunc -20 "hi" }}|{{ trunc 0 "hi" }}', {}, 'hello|world|hi|hi|'],
  ['{{ trunc 2 "héllo" }}', {}, 'h\ufffd'],
  ['{{ substr 0 5 "hello world" }}|{{ substr 6 11 "hello world" }}|{{ substr -1 3 "hello" }}|{{ substr 2 -1 "hello" }}|{{ substr 2 99 "hello" }}', {}, 'hello|world|hel|llo|llo'],
  ['{{ substr 3 1 "hello" }}', {}, 'template: line:1:3: executing "line" at <substr 3 1 "hello">: error calling substr: runtime error: slice bounds out of range [3:1]'],
  ['{{ substr -1 9 "hello" }}', {}, 'template: line:1:3: executing "line" at <substr -1 9 "hello">: error calling substr: runtime error: slice bounds out of range [:9] with length 5'],
  ['{{ substr 9 -1 "hello" }}', {}, 'template: line:1:3: executing "line" at <substr 9 -1 "hello">: error calling substr: runtime error: slice bounds out of range [9:5]'],
  ['{{ if  .foo | contains "p"}}yes{{end}}-{{ if  .foo | contains "z"}}no{{end}}', { foo: 'BLIp' }, 'yes-'],
  ['{{ if  .foo | hasPrefix "BL" }}yes{{end}}-{{ if  .foo | hasPrefix "p"}}no{{end}}', { foo: 'BLIp' }, 'yes-'],
  ['{{ if  .foo | hasSuffix "Ip" }}yes{{end}}-{{ if  .foo | hasSuffix "pw"}}no{{end}}', { foo: 'BLIp' }, 'yes-'],
  ['{{ "foo\\n bar" | indent 4 }}', {}, '    foo\n     bar'],
  ['{{ "foo" | nindent 2 }}', {}, '\n  foo'],
  ['{{ .cluster | replace "-cluster" "" }}|{{ replace "hello" "world" "hello world" }}', { cluster: 'eu-cluster' }, 'eu|world world'],
  ['{{ "foo" | repeat 3 }}|{{ repeat 0 "x" }}', {}, 'foofoofoo|'],
  ['{{ repeat -1 "x" }}', {}, 'template: line:1:3: executing "line" at <repeat -1 "x">: error calling repeat: strings: negative Repeat count'],
  ['{{.foo | trim }} {{ .bar  | trimAll "op" }} {{ .bar  | trimPrefix "b" }} {{ .bar  | trimSuffix "p" }}', { foo: '  blip ', bar: 'blop' }, 'blip bl lop blo'],
  ['{{ trimAll "$" "$5.00$" }}|{{ trimPrefix "-" "-hello" }}|{{ trimSuffix "-" "hello-" }}', {}, '5.00|hello|hello'],
  ['{{.foo | default "-" }}{{.bar | default "-"}}{{.unknown | default "-"}}', { foo: 'blip', bar: '' }, 'blip--'],
  ['{{ default "d" 0 }}|{{ default "d" false }}|{{ default "d" (fromJson "[]") }}|{{ default "d" 1.5 }}|{{ default "d" }}', {}, 'd|d|d|1.5|d'],
]);

table('Sprig conversions and integer math', [
  ['{{ \"2.5\" | float64 | int | add 10}}', {}, '12'],
  ['{{ int "42" }} {{ int "2.00" }} {{ int "2.5" }} {{ int "0x1F" }} {{ int "010" }} {{ int "1_000" }} {{ int "abc" }}', {}, '42 2 0 31 8 1000 0'],
  ['{{ int 3.9 }} {{ int -3.9 }} {{ int true }} {{ int nil }} {{ int (fromJson "7") }}', {}, '3 -3 1 0 7'],
  ['{{ float64 "2.5" }} {{ float64 "1e3" }} {{ float64 "x" }} {{ float64 7 }} {{ float64 "Inf" }}', {}, '2.5 1000 0 7 +Inf'],
  ['{{ add .foo 1 | sub .bar | mul .baz | div .bazz}}', { foo: '1', bar: '3', baz: '10', bazz: '20' }, '2'],
  ['{{ add 3 2 5 }} {{ add }} {{ sub 5 2 }} {{ mul 5 2 3 }} {{ div 10 2 }} {{ mod 10 3 }}', {}, '10 0 3 30 5 1'],
  ['{{ div -7 2 }} {{ mod -7 2 }} {{ div .status 100 }}', { status: '503' }, '-3 -1 5'],
  ['{{ mul 9223372036854775807 2 }}', {}, '-2'],
  ['{{ mod 1 0 }}', {}, 'template: line:1:3: executing "line" at <mod 1 0>: error calling mod: runtime error: integer divide by zero'],
  ['min is {{ min .foo .bar .baz }} and max is {{ max .foo .bar .baz }}', { foo: '5', bar: '10', baz: '15' }, 'min is 5 and max is 15'],
  ['{{ max 1 }} {{ min "3" 2.9 }}', {}, '1 2'],
]);

table('Sprig float math (shopspring decimal semantics)', [
  ['{{ addf .foo 1.5 | subf .bar 1.5 | mulf .baz | divf .bazz }}', { foo: '1.5', bar: '5', baz: '10.5', bazz: '20.2' }, '3.8476190476190477'],
  ['{{ round (addf .foo 1.5 | subf .bar | mulf .baz | divf .bazz) 5 .2}}', { foo: '1.5', bar: '3.5', baz: '10.5', bazz: '20.4' }, '3.88572'],
  ['{{ addf 3.5 2 5 }} {{ subf 5.5 2 1.5 }} {{ mulf 5.5 2 2.5 }} {{ divf 10 2 4 }}', {}, '10.5 2 27.5 1.25'],
  ['{{ addf 0.1 0.2 }} {{ mulf 1.1 1.1 }} {{ subf 0.3 0.1 }}', {}, '0.3 1.21 0.2'],
  ['{{ divf 1 3 }} {{ divf 2 3 }} {{ divf -2 3 }} {{ addf }}', {}, '0.3333333333333333 0.6666666666666667 -0.6666666666666667 0'],
  ['{{ divf 1 0 }}', {}, 'template: line:1:3: executing "line" at <divf 1 0>: error calling divf: decimal division by zero'],
  ['{{ addf (float64 "NaN") 1 }}', {}, 'template: line:1:3: executing "line" at <addf (float64 "NaN") 1>: error calling addf: Cannot create a Decimal from NaN'],
  ['minf is {{ minf .foo .bar .baz }} and maxf is {{maxf .foo .bar .baz}}', { foo: '5.3', bar: '10.5', baz: '15.2' }, 'minf is 5.3 and maxf is 15.2'],
  ['{{ maxf 1 2.5 3 }} {{ minf 1 2.5 3 }}', {}, '3 1'],
  ['ceil is {{ ceil .foo }} and floor is {{floor .foo }}', { foo: '5.3' }, 'ceil is 6 and floor is 5'],
  ['{{ ceil 123.001 }} {{ floor 123.9999 }} {{ ceil -1.5 }}', {}, '124 123 -1'],
  ['{{ round 123.555555 3 }} {{ round 123.88571428571 5 .2 }} {{ round -1.5 0 }} {{ round 2.5 0 }}', {}, '123.556 123.88572 -2 3'],
  ['{{ round .a 2 }}', { a: '1.005' }, '1'],
]);

table('fromJson', [
  ['{{ fromJson "{\\"foo\\": 55}" }}', {}, 'map[foo:55]'],
  ['{{ (fromJson .j).a.b }} {{ index (fromJson .j) "list" 1 }}', { j: '{"a":{"b":"deep"},"list":[1,2.5,"s"]}' }, 'deep 2.5'],
  ['{{ range $q := fromJson .queries }}[{{ $q.query }}]{{ end }}', { queries: '[{"query":"a"},{"query":"b"}]' }, '[a][b]'],
]);

table('__line__ and __timestamp__', [
  ['{{ __line__ }} bar {{ .bar }}', { bar: '2' }, 'test line bar 2'],
  ['{{ __line__ | upper }}', {}, 'TEST LINE'],
  ['{{ __timestamp__ }}', {}, '2022-06-27 18:05:24.12 +0000 UTC'],
  ['{{ __timestamp__ | date "2006-01-02" }} bar {{ .bar }}', { bar: '2' }, '2022-06-27 bar 2'],
  ['{{ __timestamp__ | unixEpoch }} {{ __timestamp__ | unixEpochMillis }} {{ __timestamp__ | unixEpochNanos }}', {}, '1656353124 1656353124120 1656353124120000000'],
]);

describe('__timestamp__ keeps nanoseconds', () => {
  it('prints the fraction Go prints', () => {
    expect(render('{{ __timestamp__ }}', {}, '', 1656353124000000001n)).toBe('2022-06-27 18:05:24.000000001 +0000 UTC');
  });
});
