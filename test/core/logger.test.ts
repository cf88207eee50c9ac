import { describe, expect, it } from 'vitest';
import { Logger } from '../../src/core/logger.js';

function capture(level: ConstructorParameters<typeof Logger>[0], secrets: string[] = []) {
  const lines: string[] = [];
  const logger = new Logger(level, secrets, (lvl, message) => lines.push(`${lvl}:${message}`));
  return { logger, lines };
}

describe('Logger', () => {
  it('prints only messages at or above its level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines).toEqual(['warn:w', 'error:e']);
  });

  it('prints nothing when silent', () => {
    const { logger, lines } = capture('silent');
    logger.error('e');
    expect(lines).toEqual([]);
  });

  it('logs a kind once', () => {
    const { logger, lines } = capture('debug');
    for (let i = 0; i < 5; i++) logger.once('drop', 'warn', `dropped ${i}`);
    expect(lines).toEqual(['warn:dropped 0']);
  });

  it('replaces the API key wherever it appears', () => {
    const { logger, lines } = capture('debug', ['sk-secret-123']);
    logger.warn('request to https://x?key=sk-secret-123 failed: Bearer sk-secret-123');
    expect(lines.join()).not.toContain('sk-secret-123');
    expect(lines.join()).toContain('[redacted]');
  });

  it('survives a console that throws', () => {
    const logger = new Logger('debug', [], () => {
      throw new Error('console gone');
    });
    expect(() => logger.error('x')).not.toThrow();
  });

  it('never prints credentials of a URL in a message', () => {
    const lines: string[] = [];
    const logger = new Logger('debug', [], (_level, message) => lines.push(message));
    logger.warn('Exporting to https://user:hunter2@collector.example.com/v1/traces failed');
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).toContain('collector.example.com');
  });
});
