//! The processes an end-to-end run starts, each leading its own process group so that
//! stopping one also stops whatever it spawned — on success, failure, panic or Ctrl-C.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{AtPath, Error, Result};
use crate::util::tail_of_file;

pub struct Services {
    running: Arc<Mutex<Vec<(String, Child)>>>,
}

impl Services {
    pub fn new() -> Services {
        let services = Services {
            running: Arc::new(Mutex::new(Vec::new())),
        };
        let running = Arc::clone(&services.running);
        // Ctrl-C or SIGTERM: stop everything, then exit as interrupted.
        let installed = ctrlc::set_handler(move || {
            stop(&running, |_| true);
            eprintln!("\ne2e: interrupted; stopped every service");
            std::process::exit(130);
        });
        if let Err(e) = installed {
            eprintln!("e2e: warning: cannot handle Ctrl-C ({e}); services stop when this process ends normally");
        }
        services
    }

    /// Starts `cmd` in a process group of its own, its output going to `log`.
    pub fn start(&self, name: &str, mut cmd: Command, log: &Path) -> Result<()> {
        let out = fs::File::create(log).at(log)?;
        let err = out.try_clone().at(log)?;
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|source| Error::Spawn {
                program: format!("{name} ({:?})", cmd.get_program()),
                source,
            })?;
        eprintln!("e2e: started {name} (pid {}), log {}", child.id(), log.display());
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.to_owned(), child));
        Ok(())
    }

    /// Polls `GET {url}{path}` until it answers 200, the process dies, or time runs out.
    pub fn wait_ready(&self, name: &str, url: &str, path: &str, timeout: Duration, log: &Path) -> Result<()> {
        let started = Instant::now();
        let address: SocketAddr = url
            .trim_start_matches("http://")
            .parse()
            .map_err(|e| Error::unexpected(url, format!("not an address: {e}")))?;
        loop {
            if http_status(address, path) == Some(200) {
                eprintln!(
                    "e2e: {name} ready at {url} after {:.0} s",
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            let reason = match self.exit_status(name) {
                Some(status) => format!("{name} exited ({status}) before it was ready"),
                None if started.elapsed() > timeout => format!("{name} was not ready within {} s", timeout.as_secs()),
                None => {
                    std::thread::sleep(Duration::from_millis(500));
                    continue;
                }
            };
            let last = tail_of_file(log, 40);
            return Err(Error::Service(format!(
                "{reason}; last lines of {}:\n{last}",
                log.display()
            )));
        }
    }

    /// Waits until something accepts connections on `port`.
    pub fn wait_tcp(&self, name: &str, port: u16, timeout: Duration, log: &Path) -> Result<()> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if listens(port, Duration::from_secs(1)) {
                eprintln!("e2e: {name} ready on port {port}");
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(Error::Service(format!(
            "{name} did not listen on {port} within {} s; last lines of {}:\n{}",
            timeout.as_secs(),
            log.display(),
            tail_of_file(log, 40)
        )))
    }

    /// The exit status of the named process, if it has ended.
    fn exit_status(&self, name: &str) -> Option<std::process::ExitStatus> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running
            .iter_mut()
            .find(|(n, _)| n == name)
            .and_then(|(_, c)| c.try_wait().ok().flatten())
    }

    pub fn stop_all(&self) {
        stop(&self.running, |_| true);
    }

    pub fn stop(&self, name: &str) {
        stop(&self.running, |n| n == name);
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// Does something accept connections on this loopback port?
pub fn listens(port: u16, timeout: Duration) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), timeout).is_ok()
}

/// SIGTERM to each chosen process group, then SIGKILL to whatever is left after 15 s.
fn stop(running: &Mutex<Vec<(String, Child)>>, chosen: impl Fn(&str) -> bool) {
    let mut running = running.lock().unwrap_or_else(|p| p.into_inner());
    let (mut stopping, kept): (Vec<_>, Vec<_>) = running.drain(..).partition(|(name, _)| chosen(name));
    *running = kept;
    for (_, child) in &stopping {
        signal_group(child.id(), libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    for (name, child) in stopping.iter_mut() {
        while group_alive(child.id()) && Instant::now() < deadline {
            let _ = child.try_wait(); // reap the leader so the group can empty
            std::thread::sleep(Duration::from_millis(100));
        }
        if group_alive(child.id()) {
            eprintln!("e2e: {name} ignored SIGTERM; killing it");
            signal_group(child.id(), libc::SIGKILL);
        }
        let _ = child.wait();
    }
}

fn signal_group(pgid: u32, signal: libc::c_int) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

fn group_alive(pgid: u32) -> bool {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return false;
    };
    // SAFETY: signal 0 only checks whether the group exists.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

/// The status code of `GET path`, or `None` if nothing answered.
fn http_status(address: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).ok()?;
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace().nth(1)?.parse().ok()
}
