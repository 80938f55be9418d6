import { describe, expect, it } from 'vitest';
import { render } from './entry-context.js';

// 2022-06-27 18:05:24.12 UTC, a Monday, day 178 of the year.
const TS = 1656353124120000000n;

describe('date formats with Go reference layouts', () => {
  const cases: [string, string][] = [
    ['2006-01-02T15:04:05Z07:00', '2022-06-27T18:05:24Z'],
    ['2006-01-02T15:04:05.000Z07:00', '2022-06-27T18:05:24.120Z'],
    ['2006-01-02T15:04:05.999999999Z07:00', '2022-06-27T18:05:24.12Z'],
    ['2006-01-02T15:04:05.00Z-07:00', '2022-06-27T18:05:24.12Z+00:00'],
    ['Mon Jan _2 15:04:05 MST 2006', 'Mon Jun 27 18:05:24 UTC 2022'],
    ['Monday, January 2, 2006 3:04:05 PM -0700', 'Monday, June 27, 2022 6:05:24 PM +0000'],
    ['02/01/06 03:04pm .0 ,00 __2 002', '27/06/22 06:05pm .1 ,12 178 178'],
    ['-07 -07:00:00 Z0700 1 2 _2', '+00 +00:00:00 Z 6 27 27'],
    ['Janet Monkey Jan', 'Janet Monkey Jun'],
  ];
  for (const [layout, out] of cases) {
    it(`formats ${JSON.stringify(layout)}`, () => {
      expect(render(`{{ __timestamp__ | date "${layout}" }}`, {}, '', TS)).toBe(out);
    });
  }

  it('formats integer seconds and falls back to now for other values', () => {
    expect(render('{{ date "2006-01-02 15:04" 86400 }}|{{ date "2006-01-02" (add 0 0) }}')).toBe('1970-01-02 00:00|1970-01-01');
    expect(render('{{ date "2006" "not a time" | int | lt 2020 }}')).toBe('true');
  });
});

describe('toDate, toDateInZone and unixToTime', () => {
  const cases: [string, string][] = [
    ['{{ sub (unixEpoch (toDate "2006-01-02" "2021-11-02")) (unixEpoch (toDate "2006-01-02" "2021-11-01")) }}', '86400'],
    ['{{ date "2006-01-02" (toDate "2006-01-02" "2021-11-02") }}', '2021-11-02'],
    ['{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochMillis }}', '1678411960340'],
    ['{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochNanos }}', '1678411960340485723'],
    ['{{ toDateInZone "2006-01-02 15:04" "Europe/Berlin" "2023-07-01 12:00" | unixEpoch }}', '1688205600'],
    ['{{ toDateInZone "2006-01-02 15:04" "Europe/Berlin" "2023-01-01 12:00" | unixEpoch }}', '1672570800'],
    ['{{ toDateInZone "2006-01-02 15:04" "Mars/Olympus" "2023-07-01 12:00" | unixEpoch }}', '1688212800'],
    ['{{ toDateInZone "2006-01-02 15:04" "europe/berlin" "2023-07-01 12:00" | unixEpoch }}', '1688212800'],
    ['{{ toDateInZone "2006-01-02 15:04" "America/New_York" "2022-01-15 10:00" | date "15:04 MST" }}', '15:00 UTC'],
    ['{{ (toDateInZone "2006-01-02 15:04" "America/New_York" "2022-01-15 10:00").Format "15:04 MST -0700" }}', '10:00 EST -0500'],
    ['{{ toDate "2006-01-02T15:04:05Z07:00" "2022-01-15T10:00:00+05:30" }}', '2022-01-15 10:00:00 +0530 +0530'],
    ['{{ toDate "2006-01-02T15:04:05Z07:00" "2022-01-15T10:00:00Z" | unixEpoch }}', '1642240800'],
    ['{{ toDate "2006-01-02 15:04:05" "2022-01-15 10:00:00.5" | unixEpochMillis }}', '1642240800500'],
    ['{{ toDate "Jan 2 2006" "feb 3 2021" | unixEpoch }}', '1612310400'],
    ['{{ toDate "3:04PM" "1:30PM" | date "15:04" }}|{{ toDate "3:04pm" "12:05am" | date "15:04" }}', '13:30|00:05'],
    ['{{ toDate "2006-01-02 MST" "2022-01-15 PST" }}', '2022-01-15 00:00:00 +0000 PST'],
    ['{{ toDate "2006-01-02" "2021-02-30" }}', '0001-01-01 00:00:00 +0000 UTC'],
    ['{{ toDate "2006-01-02" "nope" | unixEpoch }}', '-62135596800'],
    ['{{ toDate "2006-01-02" "2021-02-03 extra" | unixEpoch }}', '-62135596800'],
    ['{{ toDate "2006-002" "2024-060" | date "01-02" }}', '02-29'],
    ['{{ .bar | unixToTime }}', '2023-05-26 00:00:00 +0000 UTC'],
    ['{{ unixToTime "1679577215" }}', '2023-03-23 13:13:35 +0000 UTC'],
    ['{{ unixToTime "1257894000000" }}', '2009-11-10 23:00:00 +0000 UTC'],
    ['{{ unixToTime "1673798889902000" }}', '2023-01-15 16:08:09.902 +0000 UTC'],
    ['{{ unixToTime "1000000000000000000" }}', '2001-09-09 01:46:40 +0000 UTC'],
    ['{{ date "2006-01-02" (unixToTime .from) }}', '2023-03-23'],
  ];
  for (const [source, out] of cases) {
    it(`renders ${source}`, () => {
      expect(render(source, { foo: '2023-03-10T01:32:40.340485723Z', bar: '19503', from: '1679577215' })).toBe(out);
    });
  }

  it('reports unparsable epochs like Loki', () => {
    expect(() => render('{{ unixToTime "abc" }}')).toThrow(
      'template: line:1:3: executing "line" at <unixToTime "abc">: error calling unixToTime: unable to parse time \'abc\': strconv.ParseInt: parsing "abc": invalid syntax',
    );
    expect(() => render('{{ unixToTime "464" }}')).toThrow(
      'template: line:1:3: executing "line" at <unixToTime "464">: error calling unixToTime: unable to parse time \'464\': %!w(<nil>)',
    );
  });
});

describe('time values', () => {
  it('expose the time.Time methods templates use', () => {
    const t = '(toDate "2006-01-02 15:04:05.000" "2021-11-02 13:14:15.123")';
    expect(render(`{{ ${t}.Unix }} {{ ${t}.UnixMilli }} {{ ${t}.Year }} {{ ${t}.YearDay }} {{ ${t}.Hour }} {{ ${t}.Nanosecond }}`)).toBe(
      '1635858855 1635858855123 2021 306 13 123000000',
    );
    expect(render(`{{ ${t}.Format "Jan 2" }} {{ ${t}.UTC }} {{ (toDate "x" "y").IsZero }}`)).toBe('Nov 2 2021-11-02 13:14:15.123 +0000 UTC true');
  });

  it('reports unknown fields of time.Time like Go', () => {
    expect(() => render('{{ (now).Bogus }}')).toThrow("can't evaluate field Bogus in type time.Time");
    expect(() => render('{{ (now).wall }}')).toThrow('wall is an unexported field of struct type time.Time');
  });

  it('reads the clock for now', () => {
    expect(render('{{ div (unixEpoch now) (unixEpoch now) }} {{ gt (unixEpoch now | int) 1600000000 }}')).toBe('1 true');
  });
});
