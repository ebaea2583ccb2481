use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    chibo::run(chibo::cli::Cli::parse()).await
}
