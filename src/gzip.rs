//! Files as the API serves them: gzip-compressed or not, told by their first two bytes.

use std::io::{self, Read};

/// The gzip magic number, the first two bytes of every gzip stream.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The content of `reader`, decompressed when it starts with the gzip magic number (files
/// may be several gzip members one after the other), else as it is. However the first reads
/// come (a byte at a time, say), two bytes are looked at before deciding.
///
/// # Errors
///
/// The reader's error when the first bytes cannot be read (`Interrupted` is retried).
pub(crate) fn decoded<'a>(
    mut reader: impl Read + Send + 'a,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < head.len() {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let gzipped = head[..got] == MAGIC;
    let whole = io::Cursor::new(head[..got].to_vec()).chain(reader);
    Ok(if gzipped {
        Box::new(flate2::read::MultiGzDecoder::new(whole))
    } else {
        Box::new(whole)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A reader that gives one byte per read.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    fn read_all(bytes: Vec<u8>) -> Vec<u8> {
        let mut out = Vec::new();
        decoded(Trickle(io::Cursor::new(bytes)))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn gzip_is_decoded_member_by_member_and_the_rest_kept_as_it_is() {
        let gz = |text: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text).unwrap();
            e.finish().unwrap()
        };
        let mut two = gz(b"a,b\n");
        two.extend(gz(b"1,2\n"));
        assert_eq!(read_all(two), b"a,b\n1,2\n");
        assert_eq!(read_all(b"a,b\n".to_vec()), b"a,b\n");
        assert_eq!(read_all(vec![0x1f]), [0x1f]);
        assert_eq!(read_all(Vec::new()), b"");
    }
}
