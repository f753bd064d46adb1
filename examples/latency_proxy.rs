//! A TCP proxy that delays everything the target sends by a fixed time, for
//! the slow-target benchmark (BENCHMARKS.md, scripts/bench-slow-target.sh):
//! a target 20 ms away answers every request 20 ms later, however many
//! packets its answer takes.
//!
//! cargo run --release --example latency_proxy -- LISTEN UPSTREAM DELAY_MS
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [listen, upstream, delay_ms] = &args[..] else {
        eprintln!("usage: latency_proxy LISTEN UPSTREAM DELAY_MS");
        std::process::exit(2);
    };
    let delay = Duration::from_millis(delay_ms.parse().expect("DELAY_MS is a number"));
    let listener = TcpListener::bind(listen).await?;
    loop {
        let (client, _) = listener.accept().await?;
        let upstream = upstream.clone();
        tokio::spawn(async move {
            if let Ok(server) = TcpStream::connect(&upstream).await {
                let _ = relay(client, server, delay).await;
            }
        });
    }
}

async fn relay(client: TcpStream, server: TcpStream, delay: Duration) -> std::io::Result<()> {
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    // Requests go through at once.
    let up = tokio::spawn(async move { tokio::io::copy(&mut client_read, &mut server_write).await });
    // Each chunk of the answer is written `delay` after it arrived: the
    // delay is added once, not once per chunk.
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = server_read.read(&mut buf).await?;
            if n == 0 || tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                return Ok::<_, std::io::Error>(());
            }
        }
    });
    while let Some((at, bytes)) = rx.recv().await {
        tokio::time::sleep_until(at).await;
        client_write.write_all(&bytes).await?;
    }
    let _ = reader.await;
    up.abort();
    Ok(())
}
