import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { basename, dirname, FsError, MemoryFs, normalizePath } from './vfs';

describe('MemoryFs', () => {
  it('creates, reads, appends and lists files', () => {
    let now = 1000;
    const fs = new MemoryFs({ now: () => now, owner: 'student' });
    fs.mkdir('/home/student', true);
    fs.writeFile('/home/student/b.txt', 'one\n');
    now = 2000;
    fs.writeFile('/home/student/b.txt', 'two\n', true);
    fs.writeFile('/home/student/a.txt', '');
    expect(fs.readFile('/home/student/b.txt')).toBe('one\ntwo\n');
    expect(fs.list('/home/student')).toEqual(['a.txt', 'b.txt']);
    expect(fs.stat('/home/student/b.txt')).toEqual({ isDir: false, size: 8, mtime: 2000, mode: 0o644, owner: 'student' });
    expect(fs.list('/home/student/b.txt')).toBeUndefined();
  });

  it('refuses writes into missing directories and over directories, with errno codes', () => {
    const fs = new MemoryFs();
    fs.mkdir('/d');
    expect(() => fs.writeFile('/nope/x', '')).toThrow(FsError);
    expect(() => fs.writeFile('/d', '')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => fs.mkdir('/d')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => fs.mkdir('/a/b')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    fs.writeFile('/f', 'x');
    expect(() => fs.mkdir('/f/g', true)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('removes files, and non-empty directories only recursively', () => {
    const fs = new MemoryFs();
    fs.mkdir('/a/b/c', true);
    fs.writeFile('/a/b/c/f', 'x');
    expect(() => fs.remove('/a')).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(fs.remove('/a', true)).toBe(true);
    expect(fs.exists('/a/b/c/f')).toBe(false);
    expect(fs.remove('/a')).toBe(false);
    expect(fs.remove('/')).toBe(false);
  });

  it('normalises paths so one file has one name', () => {
    const fs = new MemoryFs();
    fs.mkdir('/x/y', true);
    fs.writeFile('/x//y/../y/./f', 'content');
    expect(fs.readFile('/x/y/f')).toBe('content');
    expect(normalizePath('/../..//a/./b/..')).toBe('/a');
    expect(dirname('/a/b/c')).toBe('/a/b');
    expect(basename('/a/b/c/')).toBe('c');
  });

  it('property: whatever is written can be read back at any spelling of the same path', () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.string(), (parts, content) => {
        const fs = new MemoryFs();
        const path = '/' + parts.join('/');
        fs.mkdir(dirname(path), true);
        if (fs.isDir(path)) return;
        fs.writeFile(path, content);
        const weird = '/' + parts.map((p) => `./${p}/../${p}`).join('//');
        expect(fs.readFile(weird)).toBe(content);
      }),
    );
  });
});
