/** A missing program fails its suite unless the run opted out of it by name (CI never does). */
import { optedOut, requireDependency } from './dependencies';

describe('requireDependency', () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  afterAll(() => warn.mockRestore());

  it('runs a suite whose program is there, whatever TANDEM_TEST_SKIP says', () => {
    expect(requireDependency('postgres', true, 'the store suite', { TANDEM_TEST_SKIP: 'postgres' })).toBe(true);
  });

  it('fails without the program, naming what to install and how a local run skips it', () => {
    expect(() => requireDependency('postgres', false, 'the store suite', {})).toThrow(
      /^the store suite needs PostgreSQL \(initdb and pg_ctl.*apt-get install postgresql\), which is not installed\. Install it, or set TANDEM_TEST_SKIP=postgres to skip/,
    );
    expect(() => requireDependency('openssl', false, 'temporal-tls', { TANDEM_TEST_SKIP: 'postgres' })).toThrow(
      /apt-get install openssl.*TANDEM_TEST_SKIP=openssl/,
    );
  });

  it('skips, saying so, when the run opted out of that program', () => {
    warn.mockClear();
    expect(requireDependency('openssl', false, 'temporal-tls', { TANDEM_TEST_SKIP: 'postgres, openssl' })).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^temporal-tls needs openssl .*skipped, as TANDEM_TEST_SKIP says$/),
    );
  });

  it('refuses a name it does not know rather than ignore a typo', () => {
    expect(() => optedOut({ TANDEM_TEST_SKIP: 'postgresql' })).toThrow(
      /TANDEM_TEST_SKIP: unknown "postgresql" \(known: postgres, openssl, java, promtool\)/,
    );
  });
});
