import { describe, expect, it } from 'vitest';
import { render } from './entry-context.js';

function table(title: string, cases: [string, string][], labels: Record<string, string> = {}): void {
  describe(title, () => {
    for (const [source, expected] of cases) {
      it(`${source} → ${JSON.stringify(expected)}`, () => {
        expect(render(source, labels)).toBe(expected);
      });
    }
  });
}

table('printing values as Go prints them (%v)', [
  ['{{ 1e6 }} {{ 123456.0 }} {{ 1234567.0 }} {{ 1e21 }} {{ 1e20 }}', '1e+06 123456 1.234567e+06 1e+21 1e+20'],
  ['{{ 0.0001 }} {{ 0.00001 }} {{ 3.0 }} {{ 0.1 }} {{ 2.5e-7 }}', '0.0001 1e-05 3 0.1 2.5e-07'],
  ['{{ 42 }} {{ -7 }} {{ true }}', '42 -7 true'],
  ['{{ fromJson "[1,\\"a\\",null,true,[2]]" }}', '[1 a <nil> true [2]]'],
  ['{{ fromJson "{\\"b\\":{\\"c\\":1},\\"a\\":null}" }}', 'map[a:<nil> b:map[c:1]]'],
  ['{{ float64 "1e400" }} {{ float64 "-Inf" }} {{ float64 "NaN" }}', '0 -Inf NaN'],
]);

table('printf string verbs', [
  ['{{ printf "%s|%q|%v" "a" "b\\"c" "d" }}', 'a|"b\\"c"|d'],
  ['{{ printf "[%5s][%-5s][%.2s][%5.1s]" "ab" "ab" "héllo" "xyz" }}', '[   ab][ab   ][hé][    x]'],
  ['{{ printf "%x|% X|%#x|% #x" "hé" "hé" "ab" "ab" }}', '68c3a9|68 C3 A9|0x6162|0x61 0x62'],
  ['{{ printf "%q|%+q|%#q|%#q" "é\\n" "é" "a`b" "ab" }}', '"é\\n"|"\\u00e9"|"a`b"|`ab`'],
  ['{{ printf "%q" "\\x00\\x7f\\u00a0\\U0001F600" }}', '"\\x00\\x7f\\u00a0😀"'],
  ['{{ printf "%s" 42 }}|{{ printf "%d" "x" }}', '%!s(int=42)|%!d(string=x)'],
]);

table('printf integer verbs', [
  ['{{ printf "%d|%5d|%-5d|%05d|%+d|% d|%.3d|%8.3d" 42 42 42 42 42 42 7 -7 }}', '42|   42|42   |00042|+42| 42|007|    -007'],
  ['{{ printf "%x %X %#x %o %#o %O %b %#b" 255 255 255 8 8 8 5 5 }}', 'ff FF 0xff 10 010 0o10 101 0b101'],
  ['{{ printf "%c|%c|%q|%+q|%U|%#U" 65 0x1F600 65 0xe9 0x1F600 65 }}', "A|😀|'A'|'\\u00e9'|U+1F600|U+0041 'A'"],
  ['{{ printf "%d %d" (len "héllo") (add 1 2) }}', '6 3'],
  ['{{ printf "%v %x" (index "a" 0) (index "a" 0) }}', '97 61'],
  ['{{ printf "%f" 3 }}', '%!f(int=3)'],
]);

table('printf float verbs', [
  ['{{ printf "%f|%.2f|%8.3f|%-8.2f|%08.3f|%+.1f" 3.14159 3.14159 3.14159 3.14159 -3.14159 2.0 }}', '3.141590|3.14|   3.142|3.14    |-003.142|+2.0'],
  ['{{ printf "%e|%E|%.3e|%.0e" 1234.5678 1234.5678 1234.5678 5.5 }}', '1.234568e+03|1.234568E+03|1.235e+03|6e+00'],
  ['{{ printf "%g|%G|%.3g|%.3g|%g|%.10g" 0.000012 1e21 123456.0 1.0 100000.0 0.1 }}', '1.2e-05|1E+21|1.23e+05|1|100000|0.1'],
  ['{{ printf "%.0f %.0f %.0f %.1f %.2f %.1f" 0.5 1.5 2.5 0.25 1.005 0.05 }}', '0 2 2 0.2 1.00 0.1'],
  ['{{ printf "%x|%X|%.1x|%b" 255.5 1.0 1.0 0.5 }}', '0x1.ffp+07|0X1P+00|0x1.0p+00|4503599627370496p-53'],
  ['{{ printf "%v|%.2f|%5.1f" (float64 "Inf") (float64 "-Inf") (float64 "NaN") }}', '+Inf|-Inf|  NaN'],
  ['{{ printf "%#g|%#.3g|%#v" 1.0 2.0 3.0 }}', '1.00000|2.00|3'],
  ['{{ printf "%d" 1.5 }}', '%!d(float64=1.5)'],
]);

table('printf other verbs, flags and errors', [
  ['{{ printf "%t|%v|%5t|%s" true false true false }}', 'true|false| true|%!s(bool=false)'],
  ['{{ printf "%T %T %T %T %T %T %T %T" 1 1.5 "s" true . (fromJson "[]") (add 1 2) (toDate "2006" "2020") }}', 'int float64 string bool map[string]string []interface {} int64 time.Time'],
  ['{{ printf "%v|%d|%T" nil nil nil }}', '<nil>|%!d(<nil>)|<nil>'],
  ['{{ printf "%s" }}|{{ printf "%s" "a" "b" }}|{{ printf "%d %s" 1 }}', '%!s(MISSING)|a%!(EXTRA string=b)|1 %!s(MISSING)'],
  ['{{ printf "%z" 1 }}|{{ printf "100%%" }}|{{ printf "%" }}|{{ printf "%!" }}', '%!z(int=1)|100%|%!(NOVERB)|%!!(MISSING)'],
  ['{{ printf "%[2]s %[1]s|%[3]s" "a" "b" }}', 'b a|%!s(BADINDEX)'],
  ['{{ printf "%*d|%-*d|%.*f" 4 7 4 7 2 3.14159 }}', '   7|7   |3.14'],
  ['{{ printf "%*d" "x" 1 }}|{{ printf "%.*f" "x" 1.5 }}', '%!(BADWIDTH)1|%!(BADPREC)1.500000'],
  ['{{ printf "%s" . }}|{{ printf "%5v" . }}', 'map[a:1 b:x]|map[    a:    1     b:    x]'],
  ['{{ printf "%d" (fromJson "[1,2]") }}', '[%!d(float64=1) %!d(float64=2)]'],
  ['{{ printf "%s|%v|%q" (toDate "2006-01-02" "2021-11-02") (toDate "2006" "2021") (toDate "2006" "2021") }}', '2021-11-02 00:00:00 +0000 UTC|2021-01-01 00:00:00 +0000 UTC|"2021-01-01 00:00:00 +0000 UTC"'],
  ['{{ printf "%-40.40s|" "/a/509965767/alternative-to-my-mtg.html" }}', '/a/509965767/alternative-to-my-mtg.html |'],
], { a: '1', b: 'x' });
