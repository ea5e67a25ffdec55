//! `pop3 fetch`: new messages into a Maildir, seen UIDs remembered, and
//! with `--delete` removal on the server of what is safely stored.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressStyle};
use pop3_client_blocking::{Client, Error, RetrSink, ServerError};

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
}

pub(crate) fn run(args: &Fetch) -> Result<Summary, Failure> {
    let url = session::parse(&args.account)?;
    let maildir = Maildir::open(&args.maildir)
        .map_err(|e| Failure::local(format!("Maildir {}: {e}", args.maildir.display())))?;
    // Locked before connecting: a second run waits for nothing, it stops.
    let mut state = SeenState::open(&maildir, &url.account())?;
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
    let mut uids: HashMap<u32, String> = HashMap::with_capacity(listing.len());
    let mut listed = BTreeSet::new();
    for entry in &listing {
        if !listed.insert(entry.uid.as_str()) {
            return Err(Failure::new(
                PROTOCOL,
                format!("the server lists unique id {} twice", entry.uid),
            ));
        }
        uids.insert(entry.number.get(), entry.uid.as_str().to_owned());
    }
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
    let progress = progress_bar(client, &new)?;
    for chunk in new.chunks(BATCH) {
        let mut sink = MaildirSink {
            maildir: &maildir,
            uids: &uids,
            current: None,
            done: Vec::new(),
            progress: &progress,
            octets: 0,
            refused: 0,
        };
        let result = client.retr_many(chunk, &mut sink);
        // What arrived whole is kept even when the connection failed.
        if let Some(partial) = sink.current.take() {
            partial.discard(&maildir);
        }
        let delivered: Vec<(String, String)> = sink
            .done
            .iter()
            .map(|(_, uid, name)| (uid.clone(), name.clone()))
            .collect();
        state
            .commit(&maildir, &delivered)
            .map_err(|e| Failure::local(format!("cannot record delivery: {e}")))?;
        summary.fetched += delivered.len();
        summary.octets += sink.octets;
        summary.refused += sink.refused;
        result.map_err(Failure::pop)?;
        if args.delete {
            let stored: Vec<u32> = sink.done.iter().map(|(n, _, _)| *n).collect();
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

/// A byte-counting bar on a terminal, nothing otherwise.
fn progress_bar(client: &mut Client, new: &[u32]) -> Result<ProgressBar, Failure> {
    if new.is_empty() || !io::stderr().is_terminal() {
        return Ok(ProgressBar::hidden());
    }
    let wanted: BTreeSet<u32> = new.iter().copied().collect();
    let total: u64 = client
        .list()
        .map_err(Failure::pop)?
        .iter()
        .filter(|e| wanted.contains(&e.number.get()))
        .map(|e| e.size)
        .sum();
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Ok(bar)
}

/// Writes each message of a batch to tmp/ and lists the finished ones.
struct MaildirSink<'a> {
    maildir: &'a Maildir,
    uids: &'a HashMap<u32, String>,
    current: Option<Delivery>,
    /// Message number, UID and file name of each finished delivery.
    done: Vec<(u32, String, String)>,
    progress: &'a ProgressBar,
    octets: u64,
    refused: usize,
}

impl RetrSink for MaildirSink<'_> {
    fn begin(&mut self, msg: u32, _size_hint: Option<u64>) -> io::Result<()> {
        self.progress.set_message(format!("message {msg}"));
        self.current = Some(self.maildir.create()?);
        Ok(())
    }

    fn data(&mut self, _msg: u32, data: &[u8]) -> io::Result<()> {
        self.progress.inc(data.len() as u64);
        self.octets += data.len() as u64;
        match &mut self.current {
            Some(delivery) => delivery.write(data),
            None => Err(io::Error::other("message data outside a message")),
        }
    }

    fn end(&mut self, msg: u32) -> io::Result<()> {
        let Some(delivery) = self.current.take() else {
            return Err(io::Error::other("message end outside a message"));
        };
        let name = delivery.finish()?;
        let Some(uid) = self.uids.get(&msg) else {
            return Err(io::Error::other("message without a unique id"));
        };
        self.done.push((msg, uid.clone(), name));
        Ok(())
    }

    fn refused(&mut self, msg: u32, error: ServerError) -> io::Result<()> {
        self.progress
            .suspend(|| eprintln!("pop3: message {msg} not retrieved: {error}"));
        self.refused += 1;
        Ok(())
    }
}
