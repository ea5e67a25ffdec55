//! `pop3 fetch`: new messages into a Maildir, seen UIDs remembered, and
//! with `--delete` removal on the server of what is safely stored.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressStyle};
use pop3_client_blocking::{Client, Error, RetrSink, ServerError, UidListing};

use crate::cli::Fetch;
use crate::exit::{Failure, PROTOCOL, REFUSED};
use crate::maildir::{Delivery, Maildir};
use crate::session::{self, Session};
use crate::state::SeenState;

/// Messages retrieved (pipelined) before their delivery is committed.
const BATCH: usize = 100;

/// What a run did, for the summary line.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) fetched: usize,
    pub(crate) octets: u64,
    pub(crate) already_seen: usize,
    pub(crate) deleted: usize,
    pub(crate) refused: usize,
    /// Messages over `--max-size`, left on the server.
    pub(crate) oversized: usize,
}

pub(crate) fn run(args: &Fetch) -> Result<Summary, Failure> {
    let url = session::parse(&args.account)?;
    let maildir = Maildir::open(&args.maildir)
        .map_err(|e| Failure::local(format!("Maildir {}: {e}", args.maildir.display())))?;
    // Locked before connecting: a second run waits for nothing, it stops.
    let mut state = SeenState::open(&maildir, &url.maildrop())?;
    let mut session = Session::open(&args.account)?;
    let client = &mut session.client;
    // After login the capabilities may differ (PIPELINING, ...).
    match client.capa() {
        Ok(_) | Err(Error::Server(_)) => {}
        Err(e) => return Err(Failure::pop(e)),
    }
    let listing = client.uidl().map_err(|e| match e {
        Error::Server(e) => Failure::new(
            REFUSED,
            format!(
                "the server refused UIDL ({e}); without unique ids seen mail cannot be tracked"
            ),
        ),
        e => Failure::pop(e),
    })?;
    let (uids, listed) = index_listing(&listing)?;
    let (seen, new): (Vec<u32>, Vec<u32>) = listing
        .iter()
        .map(|e| e.number.get())
        .partition(|n| uids.get(n).is_some_and(|uid| state.contains(uid)));
    let mut summary = Summary {
        already_seen: seen.len(),
        ..Summary::default()
    };
    if args.delete {
        summary.deleted += delete(client, &seen)?;
    }
    let show_progress = !new.is_empty() && io::stderr().is_terminal();
    let sizes = if show_progress || args.max_size.is_some() {
        let scan = client.list().map_err(Failure::pop)?;
        scan.iter().map(|e| (e.number.get(), e.size)).collect()
    } else {
        HashMap::new()
    };
    let (new, oversized) = over_max_size(new, &sizes, args.max_size);
    for &(msg, size) in &oversized {
        eprintln!("pop3: message {msg} ({size} octets) is over --max-size; left on the server");
    }
    summary.oversized = oversized.len();
    let progress = progress_bar(show_progress, &new, &sizes);
    for chunk in new.chunks(BATCH) {
        let mut sink = MaildirSink {
            maildir: &maildir,
            state: &mut state,
            uids: &uids,
            current: None,
            uncommitted: Vec::new(),
            uncommitted_octets: 0,
            committed: Vec::new(),
            progress: &progress,
            octets: 0,
            refused: 0,
            max_size: args.max_size,
            message_octets: 0,
            skipping: false,
            oversized: 0,
        };
        let result = client.retr_many(chunk, &mut sink);
        // What arrived whole is kept even when the connection failed.
        if let Some(partial) = sink.current.take() {
            partial.discard(&maildir);
        }
        sink.commit()
            .map_err(|e| Failure::local(format!("cannot record delivery: {e}")))?;
        // Nothing stays pending between batches, whatever happens next: a
        // pending record left behind is read at the next start as a
        // delivery that may not have reached the Maildir.
        sink.state
            .settle()
            .map_err(|e| Failure::local(format!("cannot save state: {e}")))?;
        summary.fetched += sink.committed.len();
        summary.octets += sink.octets;
        summary.refused += sink.refused;
        summary.oversized += sink.oversized;
        let stored = std::mem::take(&mut sink.committed);
        result.map_err(Failure::pop)?;
        if args.delete {
            summary.deleted += delete(client, &stored)?;
        }
    }
    progress.finish_and_clear();
    state
        .prune_and_save(&listed)
        .map_err(|e| Failure::local(format!("cannot save state: {e}")))?;
    session.client.quit().map_err(|e| {
        let mut failure = Failure::pop(e);
        if args.delete {
            failure.message = format!("{}; messages were not deleted", failure.message);
        }
        failure
    })?;
    Ok(summary)
}

/// The unique-id of each message number, and the set of unique-ids. A
/// listing that repeats either is refused: a repeated unique-id would
/// hide a message, a repeated number would store one twice.
fn index_listing(
    listing: &[UidListing],
) -> Result<(HashMap<u32, String>, BTreeSet<&str>), Failure> {
    let mut uids: HashMap<u32, String> = HashMap::with_capacity(listing.len());
    let mut listed = BTreeSet::new();
    for entry in listing {
        if !listed.insert(entry.uid.as_str()) {
            return Err(Failure::new(
                PROTOCOL,
                format!("the server lists unique id {} twice", entry.uid),
            ));
        }
        let number = entry.number.get();
        if uids.insert(number, entry.uid.as_str().to_owned()).is_some() {
            return Err(Failure::new(
                PROTOCOL,
                format!("the server lists message {number} twice"),
            ));
        }
    }
    Ok((uids, listed))
}

/// Marks `msgs` deleted (committed at QUIT) and counts the successes.
fn delete(client: &mut Client, msgs: &[u32]) -> Result<usize, Failure> {
    let outcomes = client.dele_many(msgs).map_err(Failure::pop)?;
    let mut deleted = 0;
    for (msg, outcome) in outcomes {
        match outcome {
            Ok(()) => deleted += 1,
            Err(e) => eprintln!("pop3: cannot delete message {msg}: {e}"),
        }
    }
    Ok(deleted)
}

/// Splits `new` into the messages to fetch and those whose listed size is
/// over `max` (with their sizes). A message LIST did not size is fetched:
/// the limit is enforced while it downloads anyway.
fn over_max_size(
    new: Vec<u32>,
    sizes: &HashMap<u32, u64>,
    max: Option<u64>,
) -> (Vec<u32>, Vec<(u32, u64)>) {
    let Some(max) = max else {
        return (new, Vec::new());
    };
    let mut fetch = Vec::with_capacity(new.len());
    let mut oversized = Vec::new();
    for msg in new {
        match sizes.get(&msg) {
            Some(&size) if size > max => oversized.push((msg, size)),
            _ => fetch.push(msg),
        }
    }
    (fetch, oversized)
}

/// A byte-counting bar when `show`, nothing otherwise.
fn progress_bar(show: bool, new: &[u32], sizes: &HashMap<u32, u64>) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let total: u64 = new.iter().filter_map(|msg| sizes.get(msg)).sum();
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Deliveries finished in tmp/ are committed (recorded, then moved into
/// new/) in groups this large, or this many octets: a killed run
/// fetches at most that much again, and the state file is not rewritten
/// for every message.
const COMMIT_EVERY: usize = 10;
const COMMIT_OCTETS: u64 = 4 << 20;

/// Writes each message of a batch to tmp/ and commits them in groups.
struct MaildirSink<'a> {
    maildir: &'a Maildir,
    state: &'a mut SeenState,
    uids: &'a HashMap<u32, String>,
    current: Option<Delivery>,
    /// Message number, UID and file name of deliveries not committed.
    uncommitted: Vec<(u32, String, String)>,
    uncommitted_octets: u64,
    /// Messages safely stored: these may be deleted on the server.
    committed: Vec<u32>,
    progress: &'a ProgressBar,
    octets: u64,
    refused: usize,
    /// `--max-size`, checked against what actually arrives.
    max_size: Option<u64>,
    /// Octets of the message being read.
    message_octets: u64,
    /// The message being read grew past `max_size`: its file is gone and
    /// the rest of it is read and dropped.
    skipping: bool,
    /// Messages dropped that way.
    oversized: usize,
}

impl MaildirSink<'_> {
    fn commit(&mut self) -> io::Result<()> {
        let delivered: Vec<(String, String)> = self
            .uncommitted
            .iter()
            .map(|(_, uid, name)| (uid.clone(), name.clone()))
            .collect();
        self.state.commit(self.maildir, &delivered)?;
        self.committed
            .extend(self.uncommitted.drain(..).map(|(msg, _, _)| msg));
        self.uncommitted_octets = 0;
        Ok(())
    }
}

impl RetrSink for MaildirSink<'_> {
    fn begin(&mut self, msg: u32, _size_hint: Option<u64>) -> io::Result<()> {
        self.progress.set_message(format!("message {msg}"));
        self.current = Some(self.maildir.create()?);
        self.message_octets = 0;
        self.skipping = false;
        Ok(())
    }

    fn data(&mut self, msg: u32, data: &[u8]) -> io::Result<()> {
        self.message_octets += data.len() as u64;
        self.progress.inc(data.len() as u64);
        if self.skipping {
            return Ok(());
        }
        if let Some(max) = self.max_size.filter(|&max| self.message_octets > max) {
            // Listed smaller than it is: nothing of it is kept, and the
            // rest of the batch goes on.
            if let Some(partial) = self.current.take() {
                partial.discard(self.maildir);
            }
            // What was written of it is not stored after all.
            let written = self.message_octets - data.len() as u64;
            self.octets = self.octets.saturating_sub(written);
            self.uncommitted_octets = self.uncommitted_octets.saturating_sub(written);
            self.skipping = true;
            self.oversized += 1;
            self.progress.suspend(|| {
                eprintln!(
                    "pop3: message {msg} grew past --max-size ({max} octets) as it arrived; \
                     dropped, left on the server"
                );
            });
            return Ok(());
        }
        self.octets += data.len() as u64;
        self.uncommitted_octets += data.len() as u64;
        match &mut self.current {
            Some(delivery) => delivery.write(data),
            None => Err(io::Error::other("message data outside a message")),
        }
    }

    fn end(&mut self, msg: u32) -> io::Result<()> {
        if std::mem::take(&mut self.skipping) {
            return Ok(());
        }
        let Some(delivery) = self.current.take() else {
            return Err(io::Error::other("message end outside a message"));
        };
        let name = delivery.finish()?;
        let Some(uid) = self.uids.get(&msg) else {
            return Err(io::Error::other("message without a unique id"));
        };
        self.uncommitted.push((msg, uid.clone(), name));
        if self.uncommitted.len() >= COMMIT_EVERY || self.uncommitted_octets >= COMMIT_OCTETS {
            self.commit()?;
        }
        Ok(())
    }

    fn refused(&mut self, msg: u32, error: ServerError) -> io::Result<()> {
        self.progress
            .suspend(|| eprintln!("pop3: message {msg} not retrieved: {error}"));
        self.refused += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use pop3_client_blocking::Uid;
    use pop3_proto::MessageNumber;

    use super::*;

    fn entry(number: u32, uid: &str) -> UidListing {
        UidListing {
            number: MessageNumber::new(number).unwrap(),
            uid: Uid::try_from(uid).unwrap(),
        }
    }

    #[test]
    fn messages_listed_over_the_limit_are_set_apart() {
        let sizes = HashMap::from([(1, 100), (2, 5000), (3, 1024)]);
        let (fetch, over) = over_max_size(vec![1, 2, 3, 4], &sizes, Some(1024));
        // 4 has no listed size: fetched, and checked as it arrives.
        assert_eq!(fetch, [1, 3, 4]);
        assert_eq!(over, [(2, 5000)]);
        let (fetch, over) = over_max_size(vec![1, 2], &sizes, None);
        assert_eq!((fetch, over), (vec![1, 2], Vec::new()));
    }

    #[test]
    fn a_listing_that_repeats_a_number_or_a_uid_is_refused() {
        let good = [entry(1, "a"), entry(2, "b")];
        let (uids, listed) = index_listing(&good).unwrap();
        assert_eq!(uids.get(&2).map(String::as_str), Some("b"));
        assert_eq!(listed.len(), 2);
        let twice = |listing: &[UidListing]| index_listing(listing).unwrap_err().message;
        let number = twice(&[entry(1, "a"), entry(1, "b")]);
        assert!(number.contains("message 1 twice"), "{number}");
        let uid = twice(&[entry(1, "a"), entry(2, "a")]);
        assert!(uid.contains("unique id a twice"), "{uid}");
    }
}
