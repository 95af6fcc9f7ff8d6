#!/usr/bin/env perl
# Sisimai's side of bench/classify.py: parse the same messages, from memory, and say how long
# parsing took and how much memory the process needed.
#
# Usage: perl bench/sisimai_runner.pl LIST_FILE [REPEAT]
#   LIST_FILE  one message path per line (the files classify.py chose, in its order)
#   REPEAT     passes over all messages (default 1); every pass is reported, the caller keeps
#              the best
#
# Prints one JSON object on stdout: count, bounces, any_record, errors, reasons, the elapsed
# seconds of each pass, rss_before_kb (after loading modules and messages) and peak_rss_kb
# (VmHWM at the end).
#
# Why it is built this way:
# - The clock runs around the parsing loop only. Perl's start-up, loading Sisimai and reading the
#   files happen before it, because the Python tools are measured the same way and a
#   long-running service pays those costs once, not per message.
# - Modules Sisimai loads lazily (its Lhost::* parsers) are loaded during the first pass; the
#   caller takes the best of several passes, so that cost drops out as it does for the Python
#   tools.
# - Each message goes through Sisimai->make(\$text), the public entry point a user calls. The
#   installed Debian package is Sisimai 4.25, which has make(); Sisimai 5 renamed it rise().
#   We call whichever the installed version offers, preferring rise().
# - A message "is a bounce" for Sisimai when make() returns at least one record whose reason is
#   not feedback (ARF), vacation (auto-reply) or delivered: those are Sisimai's look-alike
#   reasons, and ndrguard counts them apart from failures too. any_record counts every message
#   that returned at least one record of any reason.
use strict;
use warnings;
use JSON::PP ();
use Time::HiRes ();
use Sisimai;

# Load the parts make() requires at its first call, so that the first pass does not pay for them.
require Sisimai::Data;
require Sisimai::Message;
require Sisimai::Mail;

my $list_file = shift @ARGV or die "usage: $0 LIST_FILE [REPEAT]\n";
my $repeat = shift @ARGV // 1;
die "REPEAT must be a positive integer\n" unless $repeat =~ /\A[1-9][0-9]*\z/;

# Sisimai 5 calls it rise(); 4.x calls it make(). Same arguments for a scalar reference.
my $entry = Sisimai->can('rise') ? 'rise' : 'make';
my %look_alike = map { $_ => 1 } qw(feedback vacation delivered);

my $clock = eval { Time::HiRes::CLOCK_MONOTONIC() };
sub now {
    return defined $clock ? Time::HiRes::clock_gettime($clock) : Time::HiRes::time();
}

sub proc_status_kb {
    # One field of /proc/self/status in kB, or undef where there is no /proc (not Linux).
    my ($field) = @_;
    open(my $fh, '<', '/proc/self/status') or return undef;
    while (my $line = <$fh>) {
        return $1 + 0 if $line =~ /^\Q$field\E:\s+(\d+)\s+kB/;
    }
    return undef;
}

# Read every message into memory first: the benchmark is about parsing, not the disk.
my @messages;
open(my $lf, '<', $list_file) or die "cannot read $list_file: $!\n";
while (my $path = <$lf>) {
    chomp $path;
    next unless length $path;
    open(my $fh, '<:raw', $path) or die "cannot read $path: $!\n";
    local $/;
    my $text = <$fh>;
    close $fh;
    push @messages, $text // '';
}
close $lf;

my $rss_before = proc_status_kb('VmRSS');

my @elapsed;
my ($bounces, $any_record, $errors) = (0, 0, 0);
my %reasons;
for my $pass (1 .. $repeat) {
    my ($b, $a, $e) = (0, 0, 0);
    my %r;
    my $t0 = now();
    for my $i (0 .. $#messages) {
        my $records = eval { Sisimai->$entry(\$messages[$i]) };
        if ($@) {
            $e++;
            next;
        }
        next unless $records && @$records;
        $a++;
        my $bounce = 0;
        for my $rec (@$records) {
            my $reason = $rec->reason // '';
            $r{$reason}++;
            $bounce = 1 unless $look_alike{$reason};
        }
        $b++ if $bounce;
    }
    push @elapsed, now() - $t0;
    # Every pass sees the same input; the counts of the last pass are the counts.
    ($bounces, $any_record, $errors) = ($b, $a, $e);
    %reasons = %r;
}

my $result = {
    tool => 'sisimai',
    version => Sisimai->version,
    entry_point => "Sisimai->$entry(\\\$text)",
    clock => defined $clock ? 'CLOCK_MONOTONIC' : 'Time::HiRes::time',
    count => scalar @messages,
    bounces => $bounces,
    any_record => $any_record,
    errors => $errors,
    reasons => \%reasons,
    elapsed => \@elapsed,
    rss_before_kb => $rss_before,
    peak_rss_kb => proc_status_kb('VmHWM'),
};
print JSON::PP->new->canonical->encode($result), "\n";
