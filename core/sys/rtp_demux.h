/**
 * @file rtp_demux.h  A second socket on libre's RTP port that gets the RTP
 */
#ifndef ATA_RTP_DEMUX_H
#define ATA_RTP_DEMUX_H

struct udp_sock;

int rtp_demux_open(int *fdp, struct udp_sock *us);

#endif
