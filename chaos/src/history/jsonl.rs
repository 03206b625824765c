//! The JSON Lines form of a history: one event per line.

use std::io::{self, BufRead, Read, Write};

use super::operation::Builder;
use super::{Event, History, HistoryError};

impl History {
    /// The longest line [`History::read_jsonl`] accepts, in bytes. An event is under a hundred
    /// bytes unless its key is long; the bound keeps a file without newlines from being read
    /// whole into memory.
    pub const LINE_BYTES_MAX: usize = 64 * 1024;

    /// Reads a JSON Lines history of at most `events_max` events, validating as it goes.
    ///
    /// Blank lines are skipped (and counted, so line numbers match an editor's). The first
    /// problem is an error naming its line: malformed JSON, an unknown field or name, a value
    /// of the wrong shape, a completion without a call.
    pub fn read_jsonl(mut reader: impl BufRead, events_max: usize) -> Result<Self, HistoryError> {
        let mut builder = Builder::default();
        let mut buffer = Vec::new();
        for line in 1.. {
            buffer.clear();
            let limit = Self::LINE_BYTES_MAX as u64 + 1;
            let read = (&mut reader)
                .take(limit)
                .read_until(b'\n', &mut buffer)
                .map_err(|source| HistoryError::Io { line, source })?;
            if read == 0 {
                break;
            }
            let text = strip_line_end(&buffer);
            if text.len() > Self::LINE_BYTES_MAX {
                return Err(HistoryError::LineTooLong {
                    line,
                    bytes_max: Self::LINE_BYTES_MAX,
                });
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if builder.len() == events_max {
                return Err(HistoryError::TooManyEvents { events_max });
            }
            let event = parse(text).map_err(|problem| HistoryError::Parse { line, problem })?;
            builder.push(line, event)?;
        }
        Ok(builder.finish())
    }

    /// Writes the history as JSON Lines, one event per line, in the form
    /// [`History::read_jsonl`] reads.
    pub fn write_jsonl(&self, mut writer: impl Write) -> io::Result<()> {
        for event in self.events() {
            serde_json::to_writer(&mut writer, event)?;
            writer.write_all(b"\n")?;
        }
        writer.flush()
    }
}

/// Parses one event, which must be a JSON object: serde would also take an array of the five
/// fields in order, which is not the format.
fn parse(text: &[u8]) -> Result<Event, String> {
    let start = text.iter().position(|byte| !byte.is_ascii_whitespace());
    if let Some(start) = start.filter(|&start| text[start] != b'{') {
        return Err(format!("expected a JSON object (column {})", start + 1));
    }
    serde_json::from_slice(text).map_err(|error| describe(&error))
}

fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `serde_json`'s message without its own "at line 1 column 7" (every input it sees is one
/// line), with the column kept.
fn describe(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(problem) => format!("{problem} (column {})", error.column()),
        None => message,
    }
}
