//! Reading the input: the files in order (`-` is stdin) joined as one stream,
//! or stdin. One big file (given by name, or as stdin redirected from it) is
//! mapped, not read: a buffer filled by `read` costs a page fault per 4 KB
//! page, which on the VMs this is measured on is most of a 5 MB stream's run
//! time (1300 faults, ~9 of 11 ms against ~3 ms mapped).

use std::io::{Read, Seek};
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::diag::Error;

/// Files this big or bigger are mapped: below it a read is as cheap.
const MAP_FROM: u64 = 64 << 10;

/// The input's bytes: read into a buffer, or a file mapped read-only.
pub(crate) enum Bytes {
    /// Read (stdin from a pipe, several files, a small file).
    Read(Vec<u8>),
    /// One big file, mapped.
    Mapped(memmap2::Mmap),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

impl Bytes {
    /// The bytes as an owned buffer (a copy when mapped).
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            Bytes::Read(v) => v,
            Bytes::Mapped(m) => m.to_vec(),
        }
    }
}

/// The input as one stream, and where each file starts in it.
pub(crate) struct Input {
    /// The files in order (`-` is stdin) joined as one stream, or stdin.
    pub(crate) bytes: Bytes,
    /// Per file: its name and the stream line of its first line (only when there
    /// are several files, to name the file and its own line in errors).
    parts: Vec<(String, usize)>,
}

impl Input {
    /// An error at a stream line, told as the file and that file's own line.
    pub(crate) fn locate(&self, mut e: Error) -> Error {
        let Some(l) = e.location.as_deref_mut() else {
            return e;
        };
        let Some(line) = l.line else { return e };
        let Some((name, first)) = self.parts.iter().rev().find(|p| p.1 <= line) else {
            return e;
        };
        l.line = Some(line - first + 1);
        l.source = Some(match l.source.take() {
            Some(src) => format!("{src} in {name}"),
            None => name.clone(),
        });
        e
    }
}

/// Reads the input: the files in order (`-` is stdin) joined as one stream, or stdin.
/// The help for a file that cannot be read: a subcommand's name given after
/// options (`premigrate --target hooks explain FILE`) is read as a file, as
/// the options belong to the subcommand and come after it.
fn path_help(f: &Path) -> String {
    use clap::CommandFactory as _;
    let cli = crate::config::cli::Cli::command();
    let name = f.to_string_lossy();
    let subcommand = cli.get_subcommands().any(|s| s.get_name() == name);
    match subcommand {
        true => format!("`{name}` is a subcommand: give it first, then its options (`premigrate {name} [OPTIONS] [FILE]...`)"),
        false => "check the path".to_string(),
    }
}

pub(crate) fn read_input(files: &[PathBuf]) -> Result<Input, Error> {
    let mut buf = Vec::new();
    let mut parts = Vec::new();
    if files.is_empty() || files.iter().all(|f| f.as_os_str() == "-") {
        let bytes = read_stdin().map_err(|e| Error::new(format!("cannot read stdin: {e}")))?;
        return Ok(Input { bytes, parts });
    }
    if let [f] = files {
        let file = std::fs::File::open(f).map_err(|e| {
            Error::new(format!("cannot read {}: {e}", f.display())).help(path_help(f))
        })?;
        let bytes = read_file(file).map_err(|e| {
            Error::new(format!("cannot read {}: {e}", f.display())).help(path_help(f))
        })?;
        return Ok(Input { bytes, parts });
    }
    for (k, f) in files.iter().enumerate() {
        let bytes = if f.as_os_str() == "-" {
            read_stdin().map(Bytes::into_vec)
        } else {
            std::fs::read(f)
        }
        .map_err(|e| Error::new(format!("cannot read {}: {e}", f.display())).help(path_help(f)))?;
        if k > 0 && !buf.is_empty() {
            if !buf.ends_with(b"\n") {
                buf.push(b'\n');
            }
            if !bytes.starts_with(b"---") {
                buf.extend_from_slice(b"---\n");
            }
        }
        let first = buf.iter().filter(|&&b| b == b'\n').count() + 1;
        let name = match f.as_os_str() == "-" {
            true => "stdin".to_string(),
            false => f.display().to_string(),
        };
        parts.push((name, first));
        // The first file's buffer is the stream's (one file: no copy of it).
        if buf.is_empty() {
            buf = bytes;
        } else {
            buf.extend_from_slice(&bytes);
        }
    }
    if parts.len() < 2 {
        parts.clear();
    }
    Ok(Input {
        bytes: Bytes::Read(buf),
        parts,
    })
}

/// Reads stdin: mapped when it is a big file read from its start, else read
/// to its end.
fn read_stdin() -> std::io::Result<Bytes> {
    match stdin_file() {
        Some(file) => read_file(file),
        None => read_all(std::io::stdin().lock(), None).map(Bytes::Read),
    }
}

/// Reads a file: mapped when it is a regular file of [`MAP_FROM`] bytes or
/// more whose offset is its start (stdin can be a file already partly read).
fn read_file(mut file: std::fs::File) -> std::io::Result<Bytes> {
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() >= MAP_FROM && file.stream_position()? == 0 {
        // SAFETY: the mapping is private and read-only. A process that
        // rewrote or truncated the file while premigrate runs would change
        // what it reads (or end it with SIGBUS), as with any tool that maps
        // its input (ripgrep); rendered manifests are not written meanwhile.
        // `premigrate f > f` truncates f before the run: it is read, empty.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(Bytes::Mapped(map));
        }
    }
    let size = meta.is_file().then_some(meta.len());
    read_all(file, size).map(Bytes::Read)
}

/// Reads to the end into one buffer allocated up front: the file's size when
/// known, else room for a big stream. Growing a buffer by doubling copies it
/// and touches every page twice or more (a third of the run time on a 5 MB
/// stream); the room reserved is address space only, no page is touched
/// before data lands in it.
fn read_all(mut from: impl Read, size: Option<u64>) -> std::io::Result<Vec<u8>> {
    const ROOM: u64 = 64 << 20;
    let room = size.map_or(ROOM, |n| n + 1).min(ROOM) as usize;
    let mut buf = Vec::new();
    // Address space can be short (a ulimit -v): then grow as needed.
    let _ = buf.try_reserve_exact(room);
    from.read_to_end(&mut buf)?;
    Ok(buf)
}

/// Stdin as a file, when it is a regular one (`premigrate < FILE`).
#[cfg(unix)]
fn stdin_file() -> Option<std::fs::File> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let file = std::fs::File::from(fd);
    file.metadata().ok()?.is_file().then_some(file)
}

#[cfg(not(unix))]
fn stdin_file() -> Option<std::fs::File> {
    None
}
