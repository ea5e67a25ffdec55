#!/usr/bin/perl
# Drives pop3d with Perl's Net::POP3 and checks each answer; writes what it
# downloaded to files for the Rust test to compare with the store.
#
# Usage: net_pop3.pl HOST PLAIN_PORT TLS_PORT CAFILE USER PASSWORD OUTDIR COUNT
#
# Session 1 (plain port): banner, capa, starttls, login, popstat, list,
#   uidl, get (every message), getfh, top, last (refused), delete, reset,
#   quit.
# Session 2 (POP3S): apop, get every message, quit.
# Sessions 3 and 4 (STLS): auth with SASL PLAIN, then CRAM-MD5, which
#   deletes message 1 before quit.
use strict;
use warnings;
use Net::POP3;
use Authen::SASL;

my ($host, $plain, $tls, $cafile, $user, $password, $outdir, $count) = @ARGV;

sub check {
    my ($ok, $what) = @_;
    die "check failed: $what\n" unless $ok;
}

sub save {
    my ($name, $lines) = @_;
    open(my $fh, '>:raw', "$outdir/$name") or die "$name: $!";
    print $fh @$lines;
    close($fh) or die "$name: $!";
}

sub retrieve_all {
    my ($pop, $prefix) = @_;
    my $sizes = $pop->list;
    check(ref $sizes eq 'HASH' && keys %$sizes == $count, 'LIST');
    for my $n (1 .. $count) {
        my $lines = $pop->get($n);
        check(defined $lines, "RETR $n: " . $pop->message);
        my $octets = 0;
        $octets += length($_) for @$lines;
        check($octets == $sizes->{$n}, "RETR $n: $octets octets, LIST said $sizes->{$n}");
        save("$prefix-$n", $lines);
    }
}

# Session 1: STLS, USER/PASS and the rest of the API.
my $pop = Net::POP3->new($host, Port => $plain, Timeout => 30)
    or die "connect: $@";
check($pop->banner =~ /<[^<>@]+@[^<>]+>/, 'APOP timestamp in the banner');
my $capa = $pop->capa;
check(exists $capa->{$_}, "CAPA $_") for qw(STLS TOP UIDL USER PIPELINING SASL);
$pop->starttls(SSL_ca_file => $cafile, SSL_verifycn_name => $host)
    or die "starttls: " . ($IO::Socket::SSL::SSL_ERROR // $@);
check(!exists $pop->capa->{STLS}, 'no STLS after TLS');
my $n = $pop->login($user, $password);
check(defined $n && $n == $count, 'login: ' . $pop->message);
my ($messages, $octets) = $pop->popstat;
check($messages == $count, "STAT $messages");
my $total = 0;
my $sizes = $pop->list;
$total += $sizes->{$_} for keys %$sizes;
check($octets == $total, "STAT octets $octets vs LIST $total");
check($pop->list(1) == $sizes->{1}, 'LIST 1');
my $uids = $pop->uidl;
check(keys %$uids == $count, 'UIDL');
check($pop->uidl(2) eq $uids->{2}, 'UIDL 2');
open(my $uidfh, '>', "$outdir/uidl") or die $!;
print $uidfh "$_ $uids->{$_}\n" for sort { $a <=> $b } keys %$uids;
close($uidfh);
retrieve_all($pop, 'stls');
my $fh = $pop->getfh(2);
check(defined $fh, 'getfh 2');
# The tied handle hands out one line per read, as sent (still dot-stuffed).
my @lines;
while (defined(my $line = <$fh>)) {
    push @lines, $line;
}
close($fh);
save('getfh-2', \@lines);
save('top-1-0', $pop->top(1, 0));
save('top-1-3', $pop->top(1, 3));
check(!defined $pop->last, 'LAST is not a POP3 command any more');
check($pop->delete(1), 'DELE 1');
check(!defined $pop->get(1), 'RETR of a deleted message');
# reset's return value is not its outcome (it returns the loop's), so
# the reply code is checked.
$pop->reset;
check($pop->ok && $pop->message =~ /./, 'RSET');
check(defined $pop->get(1), 'RETR after RSET');
check($pop->quit, 'QUIT');

# Session 2: POP3S and APOP.
$pop = Net::POP3->new($host, Port => $tls, SSL => 1, SSL_ca_file => $cafile,
    SSL_verifycn_name => $host, Timeout => 30) or die "connect POP3S: $@";
check(!exists $pop->capa->{STLS}, 'no STLS on POP3S');
$n = $pop->apop($user, $password);
check(defined $n && $n == $count, 'APOP: ' . $pop->message);
retrieve_all($pop, 'pop3s');
check($pop->quit, 'QUIT');

# Sessions 3 and 4: SASL.
for my $mechanism ('PLAIN', 'CRAM-MD5') {
    $pop = Net::POP3->new($host, Port => $plain, Timeout => 30) or die "connect: $@";
    $pop->starttls(SSL_ca_file => $cafile, SSL_verifycn_name => $host) or die 'starttls';
    my $sasl = Authen::SASL->new(
        mechanism => $mechanism,
        callback  => { user => $user, pass => $password, authname => $user },
    );
    check($pop->auth($sasl), "AUTH $mechanism: " . $pop->message);
    my $lines = $pop->get(3);
    check(defined $lines, "RETR 3 after AUTH $mechanism");
    save("auth-$mechanism-3", $lines);
    check($pop->delete(1), 'DELE 1') if $mechanism eq 'CRAM-MD5';
    check($pop->quit, 'QUIT');
}
print "Net::POP3: all checks passed\n";
